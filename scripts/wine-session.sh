# Sourced by the scripts that run Windows binaries under Wine.
# start_wine_session: a virtual screen (Xvfb) for the windows the editor tests and samples
# create, the prefix from set-up, quiet Wine, a persistent wineserver, and Wine's background
# services started on /dev/null: they inherit the first program's output, and would otherwise
# hold the caller's pipes (CTest's, a pipeline's) open after it exits.
# stop_wine_session: stops the wineserver and the virtual screen.
start_wine_session() {
  # No debugger for a program that crashes (winedbg --auto): it ends at once with its exception,
  # as tests expect, and never waits on a debugger that waits on nobody.
  export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winedbg.exe=d"
  if [ -z "${DISPLAY:-}" ]; then
    local display=99
    while [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
    Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
    BRIDGE32_XVFB_PID=$!
    export DISPLAY=":$display"
    for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
  fi
  wineserver -p >/dev/null 2>&1 &
  /usr/lib/wine/wine64 cmd /c exit >/dev/null 2>&1 </dev/null || true
}

stop_wine_session() {
  wineserver -k >/dev/null 2>&1 || true
  if [ -n "${BRIDGE32_XVFB_PID:-}" ]; then
    kill "$BRIDGE32_XVFB_PID" 2>/dev/null || true
    unset BRIDGE32_XVFB_PID DISPLAY
  fi
}
