#!/usr/bin/env bash
# Screenshots of the main steps for the README: the real window under Xvfb, with a
# fontconfig that knows only DejaVu (no CJK font), so every Chinese character on
# the pictures comes from the bundled font. Needs: xvfb imagemagick openssl
# dbus gnome-keyring (and xdotool for another window size).
# Usage: scripts/screenshots.sh [path/to/wxpay-setup]
#   SHOTS_LANG=en         the window in English (default zh-CN)
#   SHOTS_SIZE=720x480    the window at another size, e.g. the minimum (default 1024x720)
#   SHOTS_OUT=dir         where the pictures go (default docs/screenshots, the README's)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] || [ "${WXPAY_SHOTS_INNER:-}" != 1 ]; then
  exec env WXPAY_SHOTS_INNER=1 dbus-run-session -- bash "$0" "$@"
fi
bin=${1:-target/debug/wxpay-setup}
lang=${SHOTS_LANG:-zh-CN}
size=${SHOTS_SIZE:-1024x720}
out=${SHOTS_OUT:-docs/screenshots}
mkdir -p "$out"
if [ "$size" != 1024x720 ] && ! command -v xdotool >/dev/null; then
  echo "SHOTS_SIZE needs xdotool (apt-get install xdotool)" >&2; exit 1
fi
[ -x "$bin" ] || cargo build
work=$(mktemp -d)
export XDG_DATA_HOME=$work/data XDG_RUNTIME_DIR=$work/run WXPAY_SETUP_CONFIG_DIR=$work/config
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'shots' | gnome-keyring-daemon --unlock --components=secrets)"

# A demo CA and merchant certificate in the WXCertUtil layout.
c=$work/cert/1900006031_20260101_cert; mkdir -p "$c"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 3650 \
  -subj "/C=CN/O=Tenpay.com/OU=Tenpay.com CA Center/CN=Tenpay.com Root CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$c/apiclient_key.pem" -out "$work/m.csr" -utf8 \
  -subj "/CN=1900006031/O=微信商户系统/OU=深圳市示例科技有限公司/L=ShenZhen/C=CN" 2>/dev/null
openssl x509 -req -in "$work/m.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -days 1825 \
  -set_serial 0x444F4864EA9B34415C2E019A2B773010C45D196F -out "$c/apiclient_cert.pem" 2>/dev/null
openssl pkcs12 -export -in "$c/apiclient_cert.pem" -inkey "$c/apiclient_key.pem" \
  -out "$c/apiclient_cert.p12" -passout pass:1900006031
echo "证书使用说明" > "$c/证书使用说明.txt"
(cd "$work/cert" && 7z a -tzip -bd -y ../cert.zip . >/dev/null 2>&1 || python3 -m zipfile -c ../cert.zip 1900006031_20260101_cert)

cat > "$work/import.toml" <<TOML
name = "示例花店"
site_kind = "site_and_mini_program"
payment_name = "微信支付"
mp_appid = "wx8a2355bcd0b8e5b1"
mp_appsecret = "0123456789abcdef0123456789abcdef"
mchid = "1900006031"
api_key_v2 = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"
oa_appid = "wxfedcba0987654321"
cert_zip = "cert.zip"
TOML
"$bin" profile import "$work/import.toml" >/dev/null
profile=$work/config/profiles/示例花店.toml
sed -i 's/^jsapi_enabled = .*/jsapi_enabled = true/; s/^checklist_done = .*/checklist_done = ["bind_authorize", "bind_confirm", "bind_status"]/' "$profile"
sed -i '2i prerequisite = "verified"\nmerchant_path = "bind_existing"' "$profile"
printf 'lang = "%s"\nlast_profile = "示例花店"\n' "$lang" > "$work/config/settings.toml"

cat > "$work/fonts.conf" <<XML
<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>$work/fc</cachedir></fontconfig>
XML
export FONTCONFIG_FILE=$work/fonts.conf
display=":$((150 + RANDOM % 50))"
Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
export DISPLAY=$display
sleep 1

shot() { # step name
  sed -i "s/^step = .*/step = \"$1\"/" "$profile"
  "$bin" >/dev/null 2>&1 & local app=$!
  if [ "$size" != 1024x720 ]; then
    # no window manager here: the window is sized as a user would drag it
    local win
    win=$(xdotool search --sync --pid "$app" | head -1)
    xdotool windowsize "$win" "${size%x*}" "${size#*x}"
  fi
  sleep "${SHOT_WAIT:-4}"
  import -window root "$out/$2.png"
  kill $app; wait $app 2>/dev/null || true
}
shot merchant_number 2-merchant
shot fields 3-fields
shot certificate 4-certificate
# applying in the window: a request waiting for the platform's certificate string
"$bin" cert request --profile 示例花店 >/dev/null
shot certificate 4b-apply
# the checks as recorded by `verify`; here WeChat is unreachable, so they show that honestly
"$bin" verify --profile 示例花店 >/dev/null 2>&1 || true
shot verify 5-verify
shot summary 6-summary
sed -i '/^prerequisite = /d' "$profile"
shot prerequisite 1-prerequisite
# an agent's list: two more shops, one whose certificate expires in 30 days
openssl req -newkey rsa:2048 -nodes -keyout "$work/k2.pem" -out "$work/m2.csr" -utf8 \
  -subj "/CN=1900000109/O=微信商户系统/OU=杭州示例茶业有限公司/L=ShenZhen/C=CN" 2>/dev/null
openssl x509 -req -in "$work/m2.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -days 30 \
  -set_serial 0x1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D -out "$work/c2.pem" 2>/dev/null
cat "$work/c2.pem" "$work/k2.pem" > "$work/tea.pem"
printf 'name = "西湖茶馆"\nsite_kind = "mini_program"\nmchid = "1900000109"\ncert_zip = "tea.pem"\n' > "$work/tea.toml"
printf 'name = "城南书店"\nsite_kind = "site_and_mini_program"\n' > "$work/book.toml"
"$bin" profile import "$work/tea.toml" >/dev/null
"$bin" profile import "$work/book.toml" >/dev/null
# left on the start page last time (the app reopens where it was left)
printf 'lang = "%s"\n' "$lang" > "$work/config/settings.toml"
shot prerequisite 7-shops
ls -la "$out"
