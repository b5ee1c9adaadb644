# The BLAS LibTorch's fp32 GEMMs run on (issue 18, BENCHMARKS.md "One thread
# pool for fp32"). Debian's LibTorch calls the system BLAS, by default
# libopenblas0-pthread, which runs a pthread pool of its own beside LibTorch's
# OpenMP pool: at --threads 2 on 2 cores OpenBLAS's workers sched_yield while
# ATen's OpenMP workers spin-wait, and an fp32 prefill ran at 0.40 of peak with
# 9 s of system time in 28 s of CPU. The OpenMP build of the same OpenBLAS runs
# its GEMMs on LibTorch's own OpenMP pool (the same libgomp).
#   openmp (default): the executables load libopenblas0-openmp's libraries,
#                     whatever update-alternatives selects for the system
#   system:           the system's libblas.so.3 and libopenblas.so.0
set(POSLAB_BLAS "openmp" CACHE STRING "BLAS PosLab's executables load: openmp or system")
set_property(CACHE POSLAB_BLAS PROPERTY STRINGS openmp system)

add_library(poslab_blas INTERFACE)
if(POSLAB_BLAS STREQUAL "openmp")
  set(dir /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
  set(libs "")
  # LibTorch needs all three by soname: each must already be loaded, from this
  # folder, when the loader reaches LibTorch's own NEEDED entries.
  foreach(soname libopenblas.so.0 libblas.so.3 liblapack.so.3)
    string(MAKE_C_IDENTIFIER "POSLAB_OPENMP_${soname}" var)
    find_library(${var} NAMES ${soname} PATHS ${dir} NO_DEFAULT_PATH)
    if(NOT ${var})
      message(FATAL_ERROR "POSLAB_BLAS=openmp: ${dir}/${soname} not found (install libopenblas0-openmp, or -DPOSLAB_BLAS=system)")
    endif()
    list(APPEND libs ${${var}})
  endforeach()
  # The executable lists them itself (nothing calls them by name: keep them past
  # --as-needed), and finds them through its RUNPATH, which covers its own
  # NEEDED entries only; LibTorch's then match the sonames already loaded.
  # CMake puts the folder of a library linked by path into the build tree's
  # RUNPATH, and with USE_LINK_PATH into the installed one's.
  target_link_libraries(poslab_blas INTERFACE "$<LINK_LIBRARY:POSLAB_KEEP,${libs}>")
  set(CMAKE_INSTALL_RPATH_USE_LINK_PATH ON)
elseif(NOT POSLAB_BLAS STREQUAL "system")
  message(FATAL_ERROR "POSLAB_BLAS must be openmp or system, not '${POSLAB_BLAS}'")
endif()
