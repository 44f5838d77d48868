# The Python that runs apps/tessera-plot: the first Python 3 that imports matplotlib and h5py,
# Debian's /usr/bin/python3 before a python3 found earlier in PATH (a pyenv or virtual environment
# one usually has neither). TESSERA_PLOT_PYTHON is empty when none does: tessera-plot then says
# what is missing when it runs, and the plot tests are not registered.
find_program(TESSERA_PATH_PYTHON3 python3)
set(TESSERA_PLOT_PYTHON "")
foreach(candidate /usr/bin/python3 ${TESSERA_PATH_PYTHON3})
  if(NOT TESSERA_PLOT_PYTHON AND EXISTS "${candidate}")
    execute_process(COMMAND "${candidate}" -c "import matplotlib, h5py" RESULT_VARIABLE rc
                    OUTPUT_QUIET ERROR_QUIET)
    if(rc EQUAL 0)
      set(TESSERA_PLOT_PYTHON "${candidate}")
    endif()
  endif()
endforeach()
if(TESSERA_PLOT_PYTHON)
  message(STATUS "tessera-plot runs with ${TESSERA_PLOT_PYTHON} (matplotlib and h5py found)")
else()
  message(STATUS "tessera-plot: no Python 3 with matplotlib and h5py found (Debian: apt-get "
                 "install python3-matplotlib python3-h5py); the plot tests are not registered")
endif()
