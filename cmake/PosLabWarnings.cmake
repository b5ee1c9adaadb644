# One INTERFACE target carries the strict flags every PosLab target links
# (qBittorrent's pattern). Third-party headers are included as SYSTEM so their
# warnings are not ours; ours must stay at zero.
add_library(poslab_warnings INTERFACE)
target_compile_options(poslab_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough -Wformat=2)
option(POSLAB_WERROR "Treat warnings in PosLab's own code as errors" ON)
if(POSLAB_WERROR)
  target_compile_options(poslab_warnings INTERFACE -Werror)
endif()

# LibTorch's imported target puts its headers on the plain include path; re-export
# them as SYSTEM so -Wshadow etc. inside torch do not count against us.
function(poslab_link_torch target visibility)
  # Whatever runs LibTorch's fp32 GEMMs also loads the BLAS they should run on
  # (cmake/PosLabBlas.cmake).
  target_link_libraries(${target} ${visibility} ${TORCH_LIBRARIES} poslab_blas)
  target_include_directories(${target} SYSTEM ${visibility} ${TORCH_INCLUDE_DIRS})
endfunction()
