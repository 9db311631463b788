#!/usr/bin/env bash
# Installs the Prometheus Pushgateway from Debian (package prometheus-pushgateway) when
# /usr/bin/prometheus-pushgateway is missing. Used by the metrics integration tests, which start
# the binary themselves on a free loopback port; the systemd service is NOT enabled or started.
# Runs as root (or via sudo when available). Idempotent.
set -euo pipefail

BIN=/usr/bin/prometheus-pushgateway
if [ -x "$BIN" ]; then
  echo "prometheus-pushgateway already installed: $BIN" >&2
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-pushgateway: need root (or sudo) to apt-get install prometheus-pushgateway" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# policy-rc.d refusal keeps the package's postinst from starting the service (no systemd in
# containers either way); removed again afterwards if we created it.
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  CREATED_POLICY=1
fi
cleanup() { if [ "$CREATED_POLICY" = 1 ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT

$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends prometheus-pushgateway
# Never leave the service running or enabled.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now prometheus-pushgateway >/dev/null 2>&1 || true
fi

test -x "$BIN"
"$BIN" --version 2>&1 | head -1 >&2
