# The process-wide malloc that poslab, poslab-cli and the tests link (issue 18,
# BENCHMARKS.md "Allocator"). LibTorch frees and re-allocates its large CPU
# tensors every step; glibc's malloc hands blocks above its mmap threshold back
# to the kernel and faults them in again each time, which showed as 30 s of
# system time in a 41 s training run. A caching allocator keeps them.
#   tcmalloc (default): gperftools' tcmalloc_minimal, measured best here
#   jemalloc:           Debian's jemalloc with its default options
#   system:             glibc's malloc (for comparisons and for tools that
#                       bring their own, e.g. sanitizers)
set(POSLAB_ALLOCATOR "tcmalloc" CACHE STRING "malloc linked into PosLab's executables: tcmalloc, jemalloc or system")
set_property(CACHE POSLAB_ALLOCATOR PROPERTY STRINGS tcmalloc jemalloc system)

# A library the executables must load although no code of ours calls it by name.
set(CMAKE_LINK_LIBRARY_USING_POSLAB_KEEP "LINKER:--push-state,--no-as-needed" "<LINK_ITEM>" "LINKER:--pop-state")
set(CMAKE_LINK_LIBRARY_USING_POSLAB_KEEP_SUPPORTED TRUE)

add_library(poslab_allocator INTERFACE)
if(POSLAB_ALLOCATOR STREQUAL "tcmalloc")
  pkg_check_modules(POSLAB_MALLOC REQUIRED libtcmalloc_minimal)
elseif(POSLAB_ALLOCATOR STREQUAL "jemalloc")
  pkg_check_modules(POSLAB_MALLOC REQUIRED jemalloc)
elseif(NOT POSLAB_ALLOCATOR STREQUAL "system")
  message(FATAL_ERROR "POSLAB_ALLOCATOR must be tcmalloc, jemalloc or system, not '${POSLAB_ALLOCATOR}'")
endif()

if(NOT POSLAB_ALLOCATOR STREQUAL "system")
  # The executable itself must list the allocator among its NEEDED libraries,
  # ahead of libc, for its malloc to replace glibc's in every library loaded
  # (LibTorch, OpenBLAS, Qt). Nothing in our code calls it by name, so a linker
  # run with --as-needed would drop it: POSLAB_KEEP keeps it regardless.
  target_link_directories(poslab_allocator INTERFACE ${POSLAB_MALLOC_LIBRARY_DIRS})
  target_link_libraries(poslab_allocator INTERFACE "$<LINK_LIBRARY:POSLAB_KEEP,${POSLAB_MALLOC_LIBRARIES}>")
endif()
