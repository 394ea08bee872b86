# tributary_warnings(<target>): our own code compiles with -Wall -Wextra, and with
# -Werror when TRIBUTARY_WERROR is on (CI). Generated code (protobuf, moc) is left alone.
function(tributary_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wno-missing-field-initializers>)
  if(TRIBUTARY_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
endfunction()
