#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks for Hopdeck: bubblewrap for the sandboxes,
# slirp4netns for their private network with internet access, nginx and openssl for the TLS proxy test,
# Debian's Jupyter stack for Python rich outputs, and Chromium for the e2e tests. Idempotent:
# installs nothing when everything is already there. Needs root (or sudo).
set -euo pipefail
need=()
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v slirp4netns >/dev/null || need+=(slirp4netns)
/usr/bin/python3 -c 'import ipykernel, jupyter_client' 2>/dev/null || need+=(python3-ipykernel python3-jupyter-client)
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || need+=(python3-matplotlib)
/usr/bin/python3 -c 'import pandas' 2>/dev/null || need+=(python3-pandas)
/usr/bin/python3 -c 'import seccomp' 2>/dev/null || need+=(python3-seccomp)
# The TLS reverse-proxy test (server/test/tls-proxy.test.ts) runs its own nginx; openssl makes its certificate.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v openssl >/dev/null || need+=(openssl)
if [ "${HOPDECK_SKIP_BROWSER:-0}" != 1 ]; then
  command -v chromium >/dev/null || need+=(chromium fonts-liberation)
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
