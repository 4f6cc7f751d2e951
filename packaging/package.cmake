# The Debian package (scripts/package, CPack's DEB generator): the passage
# binary in /usr/bin, passage(1) generated from the --help texts, the
# systemd units in /lib/systemd/system, /etc/passage/passage.yaml (a
# conffile) and /var/lib/passage, which postinst gives to the `passage`
# system user it creates. tests/package/test_package.sh checks the result.

set(PASSAGE_PACKAGING_OUT ${CMAKE_BINARY_DIR}/packaging)
set(PASSAGE_MAN_PAGE ${PASSAGE_PACKAGING_OUT}/passage.1.gz)
set(PASSAGE_CHANGELOG ${PASSAGE_PACKAGING_OUT}/changelog.gz)

# gzip -n: no name or time stamp inside, so the same sources give the same bytes.
add_custom_command(OUTPUT ${PASSAGE_MAN_PAGE}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PASSAGE_PACKAGING_OUT}
  COMMAND sh -c "\"$0\" \"$1\" | gzip -9n > \"$2\""
          ${CMAKE_SOURCE_DIR}/scripts/make-man $<TARGET_FILE:passage> ${PASSAGE_MAN_PAGE}
  DEPENDS passage ${CMAKE_SOURCE_DIR}/scripts/make-man
  COMMENT "Generating passage(1) from the --help texts"
  VERBATIM)
add_custom_command(OUTPUT ${PASSAGE_CHANGELOG}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PASSAGE_PACKAGING_OUT}
  COMMAND sh -c "gzip -9n < \"$0\" > \"$1\"" ${CMAKE_SOURCE_DIR}/packaging/changelog ${PASSAGE_CHANGELOG}
  DEPENDS ${CMAKE_SOURCE_DIR}/packaging/changelog
  VERBATIM)
add_custom_target(passage-man ALL DEPENDS ${PASSAGE_MAN_PAGE} ${PASSAGE_CHANGELOG})

install(TARGETS passage RUNTIME DESTINATION bin)
install(FILES ${PASSAGE_MAN_PAGE} DESTINATION share/man/man1)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/copyright ${PASSAGE_CHANGELOG}
  DESTINATION share/doc/passage)
install(FILES
  ${CMAKE_SOURCE_DIR}/scripts/systemd/passage-nightly.service
  ${CMAKE_SOURCE_DIR}/scripts/systemd/passage-nightly.timer
  ${CMAKE_SOURCE_DIR}/scripts/systemd/passage-serve.service
  DESTINATION /lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/passage.yaml DESTINATION /etc/passage)
install(DIRECTORY DESTINATION /var/lib/passage)

# cpack installs what is already built (scripts/package builds it first):
# it must not rebuild the whole tree, tests included.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME passage)
set(CPACK_PACKAGE_VENDOR "Passage")
set(CPACK_PACKAGE_CONTACT "Passage maintainers <passage@ac-rennes.fr>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "export, move and delete the Cozy spaces of people who leave")
# CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY first, as the synopsis.
set(CPACK_PACKAGE_DESCRIPTION "Passage runs campaigns of departing accounts: it exports or moves each
person's Cozy space within the stack's rate limits, verifies every export,
tells each person the deletion date, and deletes the space after the grace
period, with a durable record and a hash-chained journal. A systemd timer
runs it every night.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser for postinst; tzdata for the time zones date-tz reads at run time.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/packaging/postinst
  ${CMAKE_SOURCE_DIR}/packaging/prerm
  ${CMAKE_SOURCE_DIR}/packaging/postrm
  ${CMAKE_SOURCE_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES ON)
include(CPack)
