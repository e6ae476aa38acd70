#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs what OhifIT needs besides Debian's chromium and node: playwright-core (npm ci here, from the committed
# package-lock.json; it never downloads a browser) and the built OHIF viewer, the dist/ folder of the npm package
# @ohif/app at the version package.json names in config.ohif, unpacked under ~/.cache/lightbox/ohif/VERSION
# (LIGHTBOX_OHIF_CACHE to put it elsewhere). Does nothing that is already done.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

wanted="$(node -p 'require(process.argv[1]).devDependencies["playwright-core"]' "$here/package.json")"
have="$(node -p 'require(process.argv[1]).version' "$here/node_modules/playwright-core/package.json" 2>/dev/null || true)"
if [ "$wanted" != "$have" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

version="$(node -p 'require(process.argv[1]).config.ohif' "$here/package.json")"
cache="${LIGHTBOX_OHIF_CACHE:-$HOME/.cache/lightbox/ohif}"
dist="$cache/$version/package/dist"
if [ ! -f "$dist/index.html" ] || [ ! -f "$dist/app-config.js" ]; then
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.unpack.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@ohif/app@$version" >/dev/null)
  mkdir -p "$tmp/$version"
  tar -xzf "$tmp"/ohif-app-"$version".tgz -C "$tmp/$version"
  [ -f "$tmp/$version/package/dist/index.html" ] || { echo "setup.sh: @ohif/app@$version has no dist/index.html" >&2; exit 1; }
  rm -rf "${cache:?}/$version"
  mv "$tmp/$version" "$cache/$version"
fi
echo "OHIF $version: $dist; playwright-core $(node -p 'require(process.argv[1]).version' "$here/node_modules/playwright-core/package.json")"
