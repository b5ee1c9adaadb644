#pragma once
// A TCP port on the loopback that nothing listens on now: the kernel's pick for
// port 0. Another process may take it before the caller does; the tests that use
// it start their listener right away.
#include <QtGlobal>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace poslab::test {

inline int freePort() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t n = sizeof a;
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n) != 0)
    qFatal("no free TCP port on the loopback");
  ::close(s);
  return ntohs(a.sin_port);
}

} // namespace poslab::test
