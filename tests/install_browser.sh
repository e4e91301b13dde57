#!/bin/sh
# Installs Debian's Chromium and ChromeDriver for the report's browser tests
# (tests/test_report.py). Never fails the test command: where they cannot be installed
# (not root, no apt-get, no network), the browser tests are skipped with that reason.
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    if apt-get update -qq >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1; then
        exit 0
    fi
fi
echo "install_browser.sh: Chromium not installed; the browser tests will be skipped" >&2
exit 0
