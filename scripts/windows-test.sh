#!/usr/bin/env bash
# The Windows program, built and tested on Linux on every CI run (.ci/run calls this
# after the README's test command). It cross-builds wxpay-setup.exe (GUI subsystem) and
# wxpay-setup-cli.exe (console) for x86_64-pc-windows-gnu and then:
#  1. PE checks (MinGW objdump, icoutils' wrestool): subsystems, only DLLs that
#     Windows 10 ships are imported, icon (16 and 256 px), version info, manifest;
#  2. under Wine, in a throw-away prefix: --help in Chinese and English (same text as
#     the Linux build), check-certs --json on a WXCertUtil-style zip (same JSON as
#     Linux), the 0.1.0 data folder moved on first start, profile import with secrets
#     (into Wine's Credential Manager, read back through an export), bundle export +
#     import-bundle, a stack export, verify against the tests' WeChat server over
#     loopback HTTP (examples/wechat_test_server.rs);
#  3. the window under Xvfb: waits for it, checks its title, takes a screenshot into
#     docs/screenshots/windows-wine.png and checks that something was drawn.
# Wine 8.0 (Debian 12) lacks bcryptprimitives.dll's ProcessPrng, which Rust's std
# imports (real Windows 10 has it): a stand-in DLL built here with MinGW forwards it to
# RtlGenRandom inside the test prefix only. Installs its tools with apt-get when missing.
# At the end it builds the Windows zip with scripts/package.sh --windows (same build).
# Usage: scripts/windows-test.sh          (WINDOWS_TEST_KEEP=1 keeps the work folder)
# WINDOWS_TARGET_DIR: where the cross-build goes (default: the cargo target dir); CI
# keeps it between runs so that only this crate is recompiled.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
t0=$(date +%s)
step() { echo "== $* [$(($(date +%s) - t0)) s]"; }
fail() {
  echo "windows-test: FAIL: $*" >&2
  exit 1
}

# ---- tools -------------------------------------------------------------------------
need=()
for pair in wine:wine /usr/lib/wine/wine64:wine64 x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 \
  x86_64-w64-mingw32-objdump:binutils-mingw-w64-x86-64 Xvfb:xvfb import:imagemagick \
  wrestool:icoutils xwininfo:x11-utils xprop:x11-utils openssl:openssl python3:python3; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
if ((${#need[@]})); then
  step "installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${need[@]}" >/dev/null
fi
target=x86_64-pc-windows-gnu
rustup target list --installed | grep -qx "$target" || rustup target add "$target"

# ---- build -------------------------------------------------------------------------
step "cross-build ($target, release)"
wtarget=${WINDOWS_TARGET_DIR:-${CARGO_TARGET_DIR:-target}}
CARGO_TARGET_DIR=$wtarget cargo build --release --locked --target "$target" --bins
out=$wtarget/$target/release
gui=$(realpath "$out/wxpay-setup.exe")
cli=$(realpath "$out/wxpay-setup-cli.exe")
step "Linux build for comparison + the test WeChat server"
cargo build --locked --bin wxpay-setup --example wechat_test_server
linux=$(realpath "${CARGO_TARGET_DIR:-target}/debug/wxpay-setup")
server_bin=$(realpath "${CARGO_TARGET_DIR:-target}/debug/examples/wechat_test_server")
echo "sizes: wxpay-setup.exe $(stat -c %s "$gui") B, wxpay-setup-cli.exe $(stat -c %s "$cli") B"

work=$(mktemp -d /tmp/wxpay-windows-test.XXXXXX)
xvfb_pid=""
cleanup() {
  if [ -n "${WINEPREFIX:-}" ] && [ -d "$WINEPREFIX" ]; then wineserver -k 2>/dev/null || true; fi
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  if [ "${WINDOWS_TEST_KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# ---- 1. PE checks ------------------------------------------------------------------
step "PE checks"
# DLLs that every Windows 10 (1607+) installation has in System32. Anything else (MinGW's
# libgcc_s/libwinpthread, a VC++ runtime) would stop the program on a merchant's PC.
allowed="advapi32 bcrypt bcryptprimitives combase comctl32 comdlg32 crypt32 dwmapi dwrite
  gdi32 imm32 kernel32 msvcrt ncrypt ntdll ole32 oleaut32 opengl32 propsys rpcrt4 secur32
  shell32 shlwapi uiautomationcore user32 userenv uxtheme version winmm ws2_32
  api-ms-win-core-path-l1-1-0 api-ms-win-core-synch-l1-2-0 api-ms-win-core-winrt-error-l1-1-0
  api-ms-win-core-winrt-l1-1-0 api-ms-win-core-winrt-string-l1-1-0"
pe_check() { # exe, expected subsystem text
  local exe=$1 want=$2 dump=$work/$(basename "$1").objdump
  x86_64-w64-mingw32-objdump -p "$exe" >"$dump"
  grep -q "^Subsystem.*($want)" "$dump" ||
    fail "$(basename "$exe"): subsystem is '$(grep ^Subsystem "$dump")', want $want"
  local dll bad=()
  while read -r dll; do
    dll=${dll,,}
    dll=${dll%.dll}
    [[ " ${allowed//$'\n'/ } " == *" $dll "* ]] || bad+=("$dll.dll")
  done < <(sed -n 's/^\s*DLL Name: //p' "$dump" | sort -u)
  ((${#bad[@]} == 0)) || fail "$(basename "$exe") imports DLLs Windows 10 may lack: ${bad[*]}"
  # resources: 14 = icon group, 16 = version info, 24 = manifest
  local types
  types=$(wrestool -l "$exe" | sed -n 's/.*--type=\([0-9]*\).*/\1/p' | sort -un | tr '\n' ' ')
  for t in 14 16 24; do
    [[ " $types" == *" $t "* ]] || fail "$(basename "$exe"): no resource of type $t (has: $types)"
  done
  wrestool -x --type=14 "$exe" >"$work/icon.ico"
  local sizes
  sizes=$(icotool -l "$work/icon.ico" | sed -n 's/.*--width=\([0-9]*\).*/\1/p' | tr '\n' ' ')
  [[ " $sizes" == *" 16 "* && " $sizes" == *" 256 "* ]] || fail "icon sizes: $sizes"
  wrestool -x --raw --type=24 "$exe" >"$work/manifest.xml"
  for w in "PerMonitorV2" ">UTF-8<" "longPathAware>true" 'level="asInvoker"'; do
    grep -q "$w" "$work/manifest.xml" || fail "$(basename "$exe"): manifest lacks $w"
  done
  wrestool -x --raw --type=16 "$exe" >"$work/version.bin"
  python3 - "$work/version.bin" "$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
for text in ["ProductName", "微信支付配置向导", "FileVersion", sys.argv[2], "LegalCopyright"]:
    if text.encode("utf-16-le") not in data:
        sys.exit(f"version info lacks {text!r}")
PY
  echo "  $(basename "$exe"): $want subsystem, imports $(sed -n 's/^\s*DLL Name: //p' "$dump" |
    sort -u | wc -l) system DLLs, icon [$sizes], version info, manifest: ok"
}
pe_check "$gui" "Windows GUI"
pe_check "$cli" "Windows CUI"

# ---- 2. Wine prefix ----------------------------------------------------------------
step "Wine prefix + Xvfb"
export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all
# Wine maps Unix file names with the codeset of LC_CTYPE: UTF-8, or 旧店.toml arrives
# mangled (the app's language follows LANG/LC_MESSAGES/LC_ALL, which stay free to set)
export LC_CTYPE=C.UTF-8
unset LC_ALL
# no Mono/Gecko download prompts; the ProcessPrng stand-in below is a native DLL
export WINEDLLOVERRIDES="mscoree,mshtml=;bcryptprimitives=n"
display=:$((90 + RANDOM % 400))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
export DISPLAY=$display
wineboot -i >/dev/null 2>&1 || fail "wineboot"
wineserver -w
cat >"$work/prng.c" <<'C'
/* Test-only stand-in for Windows 10's bcryptprimitives.dll, which Wine 8.0 lacks. */
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
C
printf 'LIBRARY bcryptprimitives.dll\nEXPORTS\n  ProcessPrng\n' >"$work/prng.def"
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  "$work/prng.c" "$work/prng.def" -ladvapi32
appdata=$(find "$WINEPREFIX/drive_c/users" -maxdepth 3 -type d -path '*/AppData/Roaming' | head -1)
[ -n "$appdata" ] || fail "no AppData\\Roaming in the Wine prefix"

w() { # runs the console exe under Wine in $work; stdout -> file $1, returns the exit code
  local o=$1
  shift
  (cd "$work" && wine "$cli" "$@" >"$o" 2>"$o.err")
}

# ---- CLI under Wine ----------------------------------------------------------------
step "--help in Chinese and English, same as Linux"
for lang in zh_CN.UTF-8 en_US.UTF-8; do
  LANG=$lang w "$work/help.win" --help || fail "--help ($lang) exit $?: $(cat "$work/help.win.err")"
  (cd "$work" && LANG=$lang "$linux" --help >"$work/help.linux")
  # clap names the program as started: wxpay-setup.exe (run by the launcher)
  sed -i -E 's/wxpay-setup(-cli)?\.exe/wxpay-setup/g' "$work/help.win"
  diff -u "$work/help.linux" "$work/help.win" || fail "--help ($lang) differs from Linux"
done
grep -q "命令\|用法" <(LANG=zh_CN.UTF-8 "$linux" --help) || fail "--help in zh is not Chinese"

step "check-certs --json on a WXCertUtil zip, same JSON as Linux"
mchid=1900006031
serial=444F4864EA9B34415C2E019A2B773010C45D196F
c=$work/cert/${mchid}_20260101_cert
mkdir -p "$c"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 3650 \
  -subj "/C=CN/O=Tenpay.com/OU=Tenpay.com CA Center/CN=Tenpay.com Root CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$c/apiclient_key.pem" -out "$work/m.csr" -utf8 \
  -subj "/CN=$mchid/O=微信商户系统/OU=深圳市示例科技有限公司/L=ShenZhen/C=CN" 2>/dev/null
openssl x509 -req -in "$work/m.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -days 1825 \
  -set_serial "0x$serial" -out "$c/apiclient_cert.pem" 2>/dev/null
echo "证书使用说明" >"$c/证书使用说明.txt"
(cd "$work/cert" && python3 -m zipfile -c ../cert.zip "${mchid}_20260101_cert")
LANG=en_US.UTF-8 w "$work/certs.win" check-certs cert.zip --json ||
  fail "check-certs exit $?: $(cat "$work/certs.win.err")"
(cd "$work" && LANG=en_US.UTF-8 "$linux" check-certs cert.zip --json >"$work/certs.linux")
diff -u "$work/certs.linux" "$work/certs.win" || fail "check-certs --json differs from Linux"
grep -q '"usable": true' "$work/certs.win" || fail "the certificate is not usable under Wine"

step "exit codes as on Linux (through the launcher), the GUI exe with a subcommand"
for args in "check-certs cert.zip --mchid abc" "check-certs missing.zip" "no-such-command"; do
  # shellcheck disable=SC2086 # word splitting wanted: $args is a command line
  rc_win=0 rc_linux=0
  LANG=en_US.UTF-8 w "$work/rc.out" $args || rc_win=$?
  (cd "$work" && LANG=en_US.UTF-8 "$linux" $args >/dev/null 2>&1) || rc_linux=$?
  [ "$rc_win" = "$rc_linux" ] && [ "$rc_win" != 0 ] ||
    fail "'$args': exit $rc_win under Wine, $rc_linux on Linux"
done
(cd "$work" && wine "$gui" --version >"$work/version.win" 2>&1) || fail "wxpay-setup.exe --version"
[ "$(tr -d '\r' <"$work/version.win")" = "$("$linux" --version)" ] ||
  fail "wxpay-setup.exe --version printed '$(cat "$work/version.win")'"

step "0.1.0's data folder is moved on first start"
legacy=$appdata/wxpay-setup/wxpay-setup/config
mkdir -p "$legacy/profiles"
printf 'mchid = "1900000109"\n' >"$legacy/profiles/旧店.toml"
LANG=en_US.UTF-8 w "$work/list.json" profile list --json || fail "profile list: $(cat "$work/list.json.err")"
grep -q '旧店' "$work/list.json" || fail "the old profile is not listed: $(cat "$work/list.json")"
[ -f "$appdata/wxpay-setup/profiles/旧店.toml" ] || fail "not moved to %APPDATA%\\wxpay-setup"
[ ! -e "$appdata/wxpay-setup/wxpay-setup" ] || fail "the doubled folder is still there"

step "profile import with secrets -> Wine's Credential Manager, read back"
shop=示例花店
appid=wx8a2355bcd0b8e5b1
secret=0123456789abcdef0123456789abcdef
key_v2=Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e
key_v3=V3keyV3keyV3keyV3keyV3keyV3key12
cat >"$work/import.toml" <<TOML
name = "$shop"
site_kind = "mini_program"
payment_name = "微信支付"
mp_appid = "$appid"
mp_appsecret = "$secret"
mchid = "$mchid"
api_key_v2 = "$key_v2"
api_key_v3 = "$key_v3"
cert_zip = "cert.zip"
TOML
LANG=en_US.UTF-8 w "$work/import.out" profile import import.toml ||
  fail "profile import exit $?: $(cat "$work/import.out.err")"
LANG=en_US.UTF-8 w "$work/show.json" profile show "$shop" --json || fail "profile show"
python3 - "$work/show.json" <<'PY'
import json, sys
shown = json.load(open(sys.argv[1], encoding="utf-8"))
text = json.dumps(shown, ensure_ascii=False)
for secret in ["0123456789abcdef0123456789abcdef", "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"]:
    if secret in text:
        sys.exit("profile show printed a secret")
PY
wineserver -k; wineserver -w # the registry file is written when the prefix's server stops
# user.reg escapes the Chinese shop name (\x793a...): look for the field part of each name
for field in mp_appsecret api_key_v2 api_key_v3 private_key; do
  grep -F "[Software\\\\Wine\\\\Credential Manager\\\\Generic: " "$WINEPREFIX/user.reg" |
    grep -qF "/$field.wxpay-setup]" || fail "no Credential Manager entry for $field in the prefix's registry"
done
! grep -qF "$secret" "$WINEPREFIX/user.reg" || fail "a secret is readable in the registry file"
LANG=en_US.UTF-8 w "$work/env.out" export --profile "$shop" --format env --out envdir --include-secrets ||
  fail "export env: $(cat "$work/env.out.err")"
same_key() { [ "$(openssl pkey -in "$1")" = "$(openssl pkey -in "$c/apiclient_key.pem")" ]; }
for v in "$key_v2" "$key_v3" "$mchid" "$appid"; do
  grep -qF "$v" "$work/envdir/.env" || fail "the env export lacks a value read back from the keychain"
done
same_key "$work/envdir/apiclient_key.pem" || fail "the private key read back differs"

step "a shop named CON is refused with a plain message (not 'Bad device type')"
sed 's/^name = .*/name = "con.shop"/' "$work/import.toml" >"$work/reserved-name.toml"
rc=0
LANG=en_US.UTF-8 w "$work/con.out" profile import reserved-name.toml || rc=$?
[ "$rc" != 0 ] && grep -q "device name that Windows reserves" "$work/con.out" "$work/con.out.err" ||
  fail "CON: exit $rc, $(cat "$work/con.out" "$work/con.out.err")"

step "bundle export + import-bundle"
printf 'correct horse battery staple\n' >"$work/pass.txt"
LANG=en_US.UTF-8 w "$work/bundle.out" export --profile "$shop" --out bundle.zip --include-secrets \
  --passphrase-file pass.txt || fail "bundle export: $(cat "$work/bundle.out.err")"
LANG=en_US.UTF-8 w "$work/ib.out" profile import-bundle bundle.zip --passphrase-file pass.txt \
  --name 分店 || fail "import-bundle: $(cat "$work/ib.out.err")"
LANG=en_US.UTF-8 w "$work/env2.out" export --profile 分店 --format env --out envdir2 --include-secrets ||
  fail "export of the imported bundle"
for v in "$key_v2" "$key_v3" "$mchid" "$appid"; do
  grep -qF "$v" "$work/envdir2/.env" || fail "the bundle round trip lost a value"
done
same_key "$work/envdir2/apiclient_key.pem" || fail "the bundle round trip changed the private key"

step "stack export (WxJava)"
LANG=en_US.UTF-8 w "$work/wxjava.out" export --profile "$shop" --format wxjava --out wxjava \
  --include-secrets || fail "wxjava export: $(cat "$work/wxjava.out.err")"
grep -rqF "$mchid" "$work/wxjava" || fail "the WxJava export lacks the MCHID"
ls -R "$work/wxjava" | grep -q "apiclient_key.pem" || fail "the WxJava export lacks the key file"

step "verify against the test WeChat server (loopback HTTP)"
"$server_bin" "$appid" "$secret" "$mchid" "$key_v2" "$key_v3" "$c/apiclient_key.pem" "$serial" \
  >"$work/server.url" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/server.url" ] && break; sleep 0.1; done
url=$(head -1 "$work/server.url")
[ -n "$url" ] || fail "the test WeChat server did not start"
rc=0
WXPAY_SETUP_MP_API=$url WXPAY_SETUP_PAY_API=$url LANG=en_US.UTF-8 \
  w "$work/verify.json" verify --profile "$shop" --json || rc=$?
python3 - "$work/verify.json" "$rc" <<'PY' || fail "verify: $(cat "$work/verify.json.err")"
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
# No online check proves the AppID <-> MCHID binding (orderquery ignores it), so the
# binding rows are "unproven" until the merchant confirms them; every other row is ok.
binding = [r for r in rows if r["id"].startswith("binding_")]
bad = [r for r in rows if r["status"] not in ("ok", "skipped") and r not in binding]
bad += [r for r in binding if r["status"] not in ("unproven", "skipped")]
bad += [r for r in binding if r["id"] == "binding_mp" and r["status"] != "unproven"]
oks = [r["id"] for r in rows if r["status"] == "ok"]
if bad or not binding or sys.argv[2] != "0" or len(oks) < 3:
    sys.exit(f"verify under Wine: exit {sys.argv[2]}, not as expected: {bad}, ok: {oks}")
print("  verify ok:", ", ".join(oks), "| unproven as expected:", ", ".join(r["id"] for r in binding))
PY
kill "$server_pid"
server_pid=""

# ---- 3. the window -----------------------------------------------------------------
step "the window under Wine + Xvfb"
(cd "$work" && LANG=zh_CN.UTF-8 exec wine "$gui" >"$work/gui.out" 2>&1) &
gui_pid=$!
win=""
titles=""
for _ in $(seq 120); do
  # the top-level window whose title is the product name (Wine also maps helper windows)
  titles=""
  for id in $(xwininfo -root -children 2>/dev/null | awk '$1 ~ /^0x/ {print $1}'); do
    t=$(xprop -id "$id" _NET_WM_NAME 2>/dev/null || true)
    titles+="${t#*= } "
    if [[ "$t" == *'"微信支付配置向导"'* ]]; then
      win=$id
      break
    fi
  done
  [ -n "$win" ] && break
  sleep 0.5
done
[ -n "$win" ] || fail "no window titled 微信支付配置向导 within 60 s (titles: $titles): $(cat "$work/gui.out")"
sleep 4 # the first frames: fonts, layout
mkdir -p docs/screenshots
import -window root "$work/shot.png"
colors=$(convert "$work/shot.png" -format %k info:)
((colors > 200)) || fail "the screenshot looks blank ($colors colours)"
# the top bar's first 170x24 px hold the Chinese title label "微信支付配置向导": antialiased
# glyphs there give many shades; a missing font (tofu boxes) or an empty bar give few
x=$(xwininfo -id "$win" | sed -n 's/.*Absolute upper-left X: *//p')
y=$(xwininfo -id "$win" | sed -n 's/.*Absolute upper-left Y: *//p')
convert "$work/shot.png" -crop "170x24+$((x + 4))+$((y + 2))" +repage "$work/title.png"
shades=$(convert "$work/title.png" -format %k info:)
dark=$(convert "$work/title.png" -colorspace gray -threshold 50% -format '%[fx:int(100*(1-mean))]' info:)
((shades >= 12 && dark >= 5 && dark <= 60)) ||
  fail "no text in the title label ($shades shades, $dark% dark): see $work/title.png"
cp "$work/shot.png" "$root/docs/screenshots/windows-wine.png"
echo "  window $win \"微信支付配置向导\", screenshot $colors colours, title label $shades shades," \
  "$dark% ink -> docs/screenshots/windows-wine.png"
wineserver -k
wait "$gui_pid" 2>/dev/null || true

step "the Windows zip (scripts/package.sh --windows)"
WINDOWS_TARGET_DIR=$wtarget bash scripts/package.sh --windows

step "windows-test: all passed"
