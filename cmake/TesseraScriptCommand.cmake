# For scripts run as `cmake [-D...] -P <script> [--] <command...>`: the command is every argument
# after the script's own path, less a leading "--" (which stops cmake from reading the command's
# own options, such as -help, as its own).
function(tessera_script_command out script_name)
  set(cmd "")
  set(collect FALSE)
  math(EXPR last "${CMAKE_ARGC} - 1")
  foreach(i RANGE 0 ${last})
    if(collect)
      if(NOT cmd AND "${CMAKE_ARGV${i}}" STREQUAL "--")
        continue()
      endif()
      list(APPEND cmd "${CMAKE_ARGV${i}}")
    elseif("${CMAKE_ARGV${i}}" MATCHES "${script_name}$")
      set(collect TRUE)
    endif()
  endforeach()
  set(${out} "${cmd}" PARENT_SCOPE)
endfunction()
