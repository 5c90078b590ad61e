# Sourced by the scripts that run Windows binaries under Wine.
# start_wine_session: the prefix from set-up, quiet Wine, a persistent wineserver, and Wine's
# background services started on /dev/null: they inherit the first program's output, and would
# otherwise hold the caller's pipes (CTest's, a pipeline's) open after it exits.
start_wine_session() {
  export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  wineserver -p >/dev/null 2>&1 &
  /usr/lib/wine/wine64 cmd /c exit >/dev/null 2>&1 </dev/null || true
}
