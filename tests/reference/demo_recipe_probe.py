#!/usr/bin/env python3
"""Recipe probe for `poslab-cli make-demo` (issue 5): does a tiny Llama learn the demo's retrieval?

A fast stand-in for the C++ demo pipeline, used to search recipes before porting one to
core/demo/DemoRecipe.h. It emulates the demo prompt with abstract token ids instead of the
SentencePiece vocabulary: each record is `Document [n](Title: <name>) <code>` as
[DOC, "[", n-digits, "](Title:", NAME, ")", " ", code-digits, "\n"], each question
[Q, NAME, "?", "\n", "Answer:"] followed by the code and EOS, with loss on the answer tokens
only. The model is the same Llama block (RMSNorm, RoPE rotate_half, SwiGLU) PosLab trains.

Flags: --single 1 makes a code one token; --adj 1 drops the ")" between name and code;
--qshort 1 ends a question at the name; --warm N first trains N steps on sequences repeated
twice (loss on the second copy), which grows induction heads.

Measured (2026-11-28, 2-core machine, seed 1, tokacc = accuracy over answer tokens incl. EOS):
- the committed recipe's shape (d=64, 2 layers, 600 steps of 2-6 records): loss 0.99, no
  name->code binding, as make-demo itself showed;
- d=128, 2 or 3 layers, lr 3e-3 or 1e-2, batch 16-32, 1500-2500 steps of 2-4 records, single-
  token codes, adjacent codes or short questions: the code is picked among the context's codes
  at about chance (value accuracy 0.25-0.40); no sharp induction transition within 2500 steps;
- --warm 500 (repeat-copy): induction heads form within 300 steps (tokacc 0.97 at step 300,
  0.997 at step 500), but they do not transfer to this question format (value accuracy ~0.35
  1200 steps later), because the token after the question's name differs from the token after
  the record's name.
Next: make retrieval literally induction -- a record text that the prompt's last tokens repeat
("... The code of <name> is" against a record "The code of <name> is 47.") -- then skew the gold
position in training. Usage: /usr/bin/python3 tests/reference/demo_recipe_probe.py --help
"""
import torch, math, random, time, sys, argparse
p = argparse.ArgumentParser()
p.add_argument('--d', type=int, default=128); p.add_argument('--layers', type=int, default=2)
p.add_argument('--heads', type=int, default=4); p.add_argument('--lr', type=float, default=3e-3)
p.add_argument('--steps', type=int, default=1000); p.add_argument('--batch', type=int, default=16)
p.add_argument('--kmin', type=int, default=2); p.add_argument('--kmax', type=int, default=6)
p.add_argument('--names', type=int, default=200); p.add_argument('--single', type=int, default=0)
p.add_argument('--threads', type=int, default=2); p.add_argument('--fu', type=int, default=99)
p.add_argument('--seed', type=int, default=1); p.add_argument('--qshort', type=int, default=0); p.add_argument('--warm', type=int, default=0); p.add_argument('--adj', type=int, default=0)
a = p.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(a.seed); random.seed(a.seed)
# vocab: 0 pad,1 bos,2 eos, 3 DOC,4 LB,5 RBT,6 RP,7 SP,8 NL,9 Q(what is the code of),10 QM,11 ANS, 12..21 digits, 22.. names, then values
D0=12; N0=22; V0=N0+a.names; NV=90; V=V0+NV
def num(n): return [D0+int(c) for c in str(n)]
def seq(k):
    names = random.sample(range(a.names), k)
    codes = random.sample(range(10,100), k)
    ids=[1]; lab=[]
    for i in range(k):
        ids += [3,4]+num(i+1)+[5, N0+names[i]] + ([] if a.adj else [6])
        ids += [7]+num(codes[i]) if not a.single else [V0+codes[i]-10]
        ids += [8]
    labels=[-100]*len(ids)
    order=list(range(k)); random.shuffle(order)
    for q in order[:a.fu]:
        qq = [9, N0+names[q]] if a.qshort else [9, N0+names[q], 10, 8, 11]
        ids += qq
        ans = ([7]+num(codes[q]) if not a.single else [V0+codes[q]-10]) + [2]
        labels += [-100]*len(qq)
        start=len(ids); ids += ans; labels += [-100]*len(ans)
        for t in range(start-1, len(ids)-1): labels[t]=ids[t+1]
    return ids, labels
def rep(k):
    ids,_=seq(k); body=ids[1:]
    full=[1]+body+body; lab=[-100]*len(full)
    for t in range(len(body), len(full)-1): lab[t]=full[t+1]
    return full, lab
def batch(B, kmin, kmax, warm=False):
    rows=[(rep if warm else seq)(random.randint(kmin,kmax)) for _ in range(B)]
    T=max(len(r[0]) for r in rows)
    x=torch.zeros(B,T,dtype=torch.long); y=torch.full((B,T),-100,dtype=torch.long)
    for i,(ids,lab) in enumerate(rows):
        x[i,:len(ids)]=torch.tensor(ids); y[i,:len(lab)]=torch.tensor(lab)
    return x,y
class RMS(torch.nn.Module):
    def __init__(s,d): super().__init__(); s.w=torch.nn.Parameter(torch.ones(d))
    def forward(s,x): return x*torch.rsqrt(x.pow(2).mean(-1,keepdim=True)+1e-5)*s.w
def rope(x, cos, sin):
    h=x.shape[-1]//2; x1,x2=x[...,:h],x[...,h:]
    return x*cos+torch.cat([-x2,x1],-1)*sin
class Block(torch.nn.Module):
    def __init__(s,d,H):
        super().__init__(); s.H=H; s.n1=RMS(d); s.n2=RMS(d)
        s.qkv=torch.nn.Linear(d,3*d,bias=False); s.o=torch.nn.Linear(d,d,bias=False)
        f=((8*d//3+7)//8)*8; s.gu=torch.nn.Linear(d,2*f,bias=False); s.dn=torch.nn.Linear(f,d,bias=False)
    def forward(s,x,cos,sin):
        B,T,d=x.shape; q,k,v=s.qkv(s.n1(x)).view(B,T,3,s.H,d//s.H).permute(2,0,3,1,4)
        q=rope(q,cos,sin); k=rope(k,cos,sin)
        sc=(q@k.transpose(-1,-2))/math.sqrt(q.shape[-1]); sc=sc.masked_fill(torch.ones(T,T,dtype=torch.bool).triu(1),float('-inf')); y=sc.softmax(-1)@v
        x=x+s.o(y.transpose(1,2).reshape(B,T,d))
        g,u=s.gu(s.n2(x)).chunk(2,-1); return x+s.dn(torch.nn.functional.silu(g)*u)
class M(torch.nn.Module):
    def __init__(s):
        super().__init__(); d=a.d; s.e=torch.nn.Embedding(V,d); s.b=torch.nn.ModuleList([Block(d,a.heads) for _ in range(a.layers)])
        s.n=RMS(d); s.h=torch.nn.Linear(d,V,bias=False)
        for p_ in s.parameters():
            if p_.dim()==2: torch.nn.init.normal_(p_,std=0.02)
        hd=d//a.heads; inv=1.0/(10000**(torch.arange(0,hd,2).float()/hd)); t=torch.arange(1024).float()
        f=torch.outer(t,inv); emb=torch.cat([f,f],-1); s.cos=emb.cos(); s.sin=emb.sin()
    def forward(s,x):
        T=x.shape[1]; c=s.cos[:T]; sn=s.sin[:T]; h=s.e(x)
        for b in s.b: h=b(h,c,sn)
        return s.h(s.n(h))
m=M(); opt=torch.optim.AdamW(m.parameters(),lr=a.lr,betas=(0.9,0.95),weight_decay=0.01)
t0=time.time(); acc=[]
for step in range(a.steps):
    lr=a.lr*min(1,(step+1)/50)*0.5*(1+math.cos(math.pi*step/a.steps))
    for g in opt.param_groups: g['lr']=lr
    x,y=batch(a.batch,a.kmin,a.kmax, step<a.warm)
    lo=m(x); loss=torch.nn.functional.cross_entropy(lo.view(-1,V),y.view(-1),ignore_index=-100)
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(m.parameters(),1.0); opt.step()
    with torch.no_grad():
        msk=y!=-100; acc.append(((lo.argmax(-1)==y)&msk).sum().item()/msk.sum().item())
    if (step+1)%100==0:
        print(f"step {step+1} loss {loss.item():.3f} tokacc {sum(acc[-100:])/100:.3f} {time.time()-t0:.0f}s",flush=True)
