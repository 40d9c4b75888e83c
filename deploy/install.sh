#!/usr/bin/env bash
# IoTSync's installer, shipped at the top of each bundle (dist/iotsync-VERSION-RID.tar.gz).
#
#   install.sh device [--root DIR] [--accounts PREFIX] [-- INIT-ARGS…]
#   install.sh mirror [--root DIR] [--accounts PREFIX] [--address HOST[:PORT]]
#   install.sh device|mirror [--root DIR] [--accounts PREFIX] --uninstall [--purge]
#
# Binaries under /opt/iotsync (iotsync-device / iotsync-mirror linked into /usr/local/bin),
# configuration under /etc/iotsync (absolute paths inside), state under /var/lib/iotsync/ROLE (0700, the
# node's account), the accounts (device: PREFIX-device with CAP_NET_ADMIN in its unit, PREFIX-sync
# with /bin/sh whose only power is the forced relay and the socket group PREFIX-relay; mirror:
# PREFIX-mirror, no capability), the sshd drop-in(s) and the systemd units. Idempotent: a second
# run changes nothing. --uninstall removes binaries, links, units and drop-ins and keeps the
# configuration, the data and the accounts; with --purge those go too.
#
# The device's configuration comes from 'iotsync-device init' with INIT-ARGS (--id ID
# --mirror HOST:PORT [--network nft --interface IF] [--period D] [--window-limit D] [--allow P…]),
# run once, when /etc/iotsync/device.hocon does not exist yet; the installer gives it the state
# directory and moves the configuration to /etc/iotsync.
#
# --root DIR installs every file under DIR instead of / (a scratch root for tests; nothing is
# started or enabled then). The accounts are always real ones on this machine (the nodes must run
# as them); a test gives them a prefix of its own with --accounts and removes them with --purge.
set -euo pipefail

BUNDLE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Runs the bundle's executables through an emulator (qemu-aarch64-static, say): only to prove a
# foreign-architecture bundle on a build machine; empty on a real installation.
EMULATOR="${IOTSYNC_EMULATOR:-}"
ROLE=""
ROOT=""
PREFIX="iotsync"
UNINSTALL=0
PURGE=0
ADDRESS=""
INIT_ARGS=()

usage() {
  sed -n '3,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,3\}//' >&2
  exit 2
}

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    device|mirror) [ -z "$ROLE" ] || usage; ROLE="$1"; shift ;;
    --root) ROOT="$(realpath -m "${2:?--root takes a directory}")"; shift 2 ;;
    --accounts) PREFIX="${2:?--accounts takes a prefix}"; shift 2 ;;
    --address) ADDRESS="${2:?--address takes HOST[:PORT]}"; shift 2 ;;
    --uninstall) UNINSTALL=1; shift ;;
    --purge) PURGE=1; shift ;;
    --) shift; INIT_ARGS=("$@"); break ;;
    -h|--help) usage ;;
    *) echo "install.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$ROLE" ] || usage
[ "$PURGE" -eq 0 ] || [ "$UNINSTALL" -eq 1 ] || die "--purge goes with --uninstall"
[[ "$PREFIX" =~ ^[a-z][a-z0-9-]{0,15}$ ]] || die "--accounts: '$PREFIX' is not 1-16 of a-z, 0-9, '-' starting with a letter"
[ "$(id -u)" -eq 0 ] || die "run as root (it creates accounts and installs under /opt, /etc and /var/lib)"

DEVICE_USER="$PREFIX-device"
SYNC_USER="$PREFIX-sync"
MIRROR_USER="$PREFIX-mirror"
SOCKET_GROUP="$PREFIX-relay"

OPT="$ROOT/opt/iotsync"
ETC="$ROOT/etc/iotsync"
STATE_ROOT="$ROOT/var/lib/iotsync"
# Each role its own directory, so both can live on one machine (a lab, a trial).
STATE="$STATE_ROOT/$ROLE"
RUN="$ROOT/run/iotsync"
# The mirror's runtime directory: the session socket reverse-mode devices reach through the relay.
MIRROR_RUN="$ROOT/run/iotsync-mirror"
LINKS="$ROOT/usr/local/bin"
UNITS="$ROOT/etc/systemd/system"
SSHD_DROPINS="$ROOT/etc/ssh/sshd_config.d"
SYNC_HOME="$ROOT/var/lib/$PREFIX-sync"

# systemd is driven only on a real install on a machine that runs it.
live_systemd() { [ -z "$ROOT" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

# Copies a file to DEST with MODE when its content or mode differs; says nothing otherwise.
put() {
  local source="$1" dest="$2" mode="$3"
  if [ -f "$dest" ] && cmp -s "$source" "$dest" && [ "$(stat -c %a "$dest")" = "${mode#0}" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$dest")"
  install -m "$mode" "$source" "$dest.new"
  mv -f "$dest.new" "$dest"
  say "wrote $dest"
}

# Writes TEXT (stdin) to DEST with MODE when it differs.
put_text() {
  local dest="$1" mode="$2" tmp
  tmp="$(mktemp)"
  cat >"$tmp"
  put "$tmp" "$dest" "$mode"
  rm -f "$tmp"
}

# A tree from the bundle in place: replaced whole when anything in it differs (an upgrade), else untouched.
put_tree() {
  local source="$1" dest="$2"
  if [ -d "$dest" ] && diff -rq --no-dereference "$source" "$dest" >/dev/null 2>&1; then
    return 0
  fi
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest.new" "$dest.old"
  cp -a "$source" "$dest.new"
  chown -R root:root "$dest.new"
  chmod -R u+rwX,go+rX,go-w "$dest.new"
  [ ! -e "$dest" ] || mv "$dest" "$dest.old"
  mv "$dest.new" "$dest"
  rm -rf "$dest.old"
  say "installed $dest"
}

link() {
  local target="$1" name="$2"
  [ "$(readlink "$name" 2>/dev/null)" = "$target" ] && return 0
  mkdir -p "$(dirname "$name")"
  ln -sfn "$target" "$name"
  say "linked $name -> $target"
}

# A unit from the bundle with its placeholders filled in.
put_unit() {
  local unit="$1"
  sed -e "s|@ROOT@|$ROOT|g" -e "s|@DEVICE_USER@|$DEVICE_USER|g" -e "s|@SOCKET_GROUP@|$SOCKET_GROUP|g" \
    -e "s|@MIRROR_USER@|$MIRROR_USER|g" "$BUNDLE/systemd/$unit" | put_text "$UNITS/$unit" 0644
}

# The account tools give up at once when another process holds /etc/passwd's lock: a bounded retry.
account_tool() {
  local attempt
  for attempt in $(seq 1 50); do
    "$@" 2>/tmp/iotsync-install.$$ && { rm -f /tmp/iotsync-install.$$; return 0; }
    grep -q "lock" /tmp/iotsync-install.$$ || { cat /tmp/iotsync-install.$$ >&2; rm -f /tmp/iotsync-install.$$; return 1; }
    sleep 0.1
  done
  cat /tmp/iotsync-install.$$ >&2; rm -f /tmp/iotsync-install.$$; return 1
}

ensure_group() {
  getent group "$1" >/dev/null || { account_tool groupadd --system "$1"; say "created group $1"; }
}

# A system account with its own group; nologin unless a shell is given.
ensure_user() {
  local user="$1" shell="${2:-/usr/sbin/nologin}" home="${3:-/nonexistent}"
  if ! getent passwd "$user" >/dev/null; then
    account_tool useradd --system --user-group --no-create-home --home-dir "$home" --shell "$shell" "$user"
    say "created account $user"
  fi
  # An account made earlier (by hand, by an older installer) is brought to what this role needs.
  if [ "$(getent passwd "$user" | cut -d: -f6)" != "$home" ]; then
    account_tool usermod --home "$home" "$user"
    say "set $user's home to $home"
  fi
  if [ "$(getent passwd "$user" | cut -d: -f7)" != "$shell" ]; then
    account_tool usermod --shell "$shell" "$user"
    say "set $user's shell to $shell"
  fi
}

in_group() { id -nG "$1" | tr ' ' '\n' | grep -qx "$2"; }

add_to_group() {
  in_group "$1" "$2" || { account_tool usermod --append --groups "$2" "$1"; say "added $1 to group $2"; }
}

# Milliseconds of a HOCON duration as init writes it (1800ms, 10s, 2m).
duration_ms() {
  case "$1" in
    *ms) echo "${1%ms}" | cut -d. -f1 ;;
    *s) echo $(( ${1%s} * 1000 )) ;;
    *m) echo $(( ${1%m} * 60000 )) ;;
    *) echo 10000 ;;
  esac
}

# The last value a HOCON file gives KEY (later assignments win), unquoted.
hocon_value() {
  grep -E "^[[:space:]]*$2[[:space:]]*=" "$1" | tail -n 1 | sed -E 's/^[^=]*=[[:space:]]*//; s/^"//; s/"[[:space:]]*$//'
}

install_binaries() {
  local node="$1"
  [ -x "$BUNDLE/$node/iotsync-$node" ] || die "$BUNDLE is not an IoTSync bundle (no $node/iotsync-$node)"
  put_tree "$BUNDLE/$node" "$OPT/$node"
  put_tree "$BUNDLE/bin" "$OPT/bin"
  put_tree "$BUNDLE/hocon" "$OPT/hocon"
  put "$BUNDLE/README.md" "$OPT/README.md" 0644
  put "$BUNDLE/VERSION" "$OPT/VERSION" 0644
  link "$OPT/$node/iotsync-$node" "$LINKS/iotsync-$node"
}

# What the nodes need from the system and the bundle does not carry: said, not installed.
check_libraries() {
  local library
  for library in "$@"; do
    ldconfig -p 2>/dev/null | grep -q "${library%%:*}" || say "warning: ${library%%:*} not found; install ${library#*:}"
  done
}

install_device() {
  check_libraries "libicuuc.so:libicu (Debian: libicu72)" "libssl.so.3:OpenSSL 3 (Debian: libssl3)" "libnftables.so.1:libnftables1 (for network.firewall and mode nft)"
  ensure_group "$SOCKET_GROUP"
  ensure_user "$DEVICE_USER"
  add_to_group "$DEVICE_USER" "$SOCKET_GROUP"
  install_binaries device

  install -d -m 0755 -o root -g root "$STATE_ROOT"
  install -d -m 0700 -o "$DEVICE_USER" -g "$DEVICE_USER" "$STATE"
  install -d -m 0750 -o "$DEVICE_USER" -g "$SOCKET_GROUP" "$RUN"
  install -d -m 0755 "$ETC"
  if [ ! -f "$ETC/device.hocon" ]; then
    if [ ${#INIT_ARGS[@]} -eq 0 ]; then
      say "no $ETC/device.hocon yet: run again with '-- --id ID --mirror HOST:PORT [--network nft --interface IF] …' (iotsync-device init's options)"
    else
      $EMULATOR "$OPT/device/iotsync-device" init --dir "$STATE" "${INIT_ARGS[@]}"
      mv "$STATE/device.hocon" "$ETC/device.hocon"
      mv "$STATE/shared.hocon" "$ETC/shared.hocon"
      cat >>"$ETC/device.hocon" <<EOF

# Written by install.sh for this installation: these override the lines above.
# The control socket, in the runtime directory the sync account's group may enter (/var/lib/iotsync/device is the node's alone).
iotsync.device.control-socket = "$RUN/device.sock"
# sshd runs the relay as the sync account, a member of this group.
iotsync.device.control-socket-group = "$SOCKET_GROUP"
# The native command runner from the bundle.
iotsync.device.commands.runner = "$OPT/bin/iotsync-command-runner"
EOF
      chmod 0644 "$ETC/device.hocon" "$ETC/shared.hocon"
      chown -R "$DEVICE_USER:$DEVICE_USER" "$STATE"
      say "wrote $ETC/device.hocon"
    fi
  elif [ ${#INIT_ARGS[@]} -gt 0 ]; then
    say "kept $ETC/device.hocon (the init options are used only when it does not exist)"
  fi

  # A reverse device dials the mirror host: no sync account, no sshd drop-in, nothing listening.
  local reverse=0
  if [ -f "$ETC/device.hocon" ] && [ "$(hocon_value "$ETC/device.hocon" 'iotsync.device.mode')" = reverse ]; then
    reverse=1
  fi
  if [ "$reverse" -eq 0 ]; then
    command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || say "warning: no sshd; install openssh-server (the mirror reaches the device through it)"
    ensure_sync_account
    # The forced command the mirror's enroll puts in the authorized_keys line: absolute, so sshd's PATH does not matter.
    if [ -f "$ETC/device.hocon" ]; then
      local limit
      limit="$(duration_ms "$(hocon_value "$ETC/device.hocon" 'iotsync.device.cycle.window-limit')")"
      echo "$OPT/bin/iotsync-sync-relay --socket $RUN/device.sock --limit-ms $limit" | put_text "$ETC/sync-command" 0644
    fi
    sed "s|@SYNC_USER@|$SYNC_USER|g" "$BUNDLE/sshd/iotsync-device.conf" | put_text "$SSHD_DROPINS/iotsync-device.conf" 0644
  else
    remove "$SSHD_DROPINS/iotsync-device.conf" "$ETC/sync-command"
  fi

  put_unit iotsync-device.service
  put_unit iotsync-device-dark.service
  if live_systemd; then
    systemctl daemon-reload
    [ "$reverse" -eq 1 ] || { command -v sshd >/dev/null 2>&1 && sshd -t && systemctl reload ssh 2>/dev/null; } || true
    if [ -f "$ETC/device.hocon" ]; then
      systemctl enable --quiet iotsync-device-dark.service iotsync-device.service
      systemctl start iotsync-device-dark.service iotsync-device.service
    fi
  fi
  if [ -f "$ETC/sync-command" ]; then
    say "device installed; at the mirror: iotsync-mirror enroll … --ssh-user $SYNC_USER --device-command \"$(cat "$ETC/sync-command")\""
    say "then put the line it prints into $SYNC_HOME/.ssh/authorized_keys"
  fi
}

# The sync account sshd runs the forced relay as: /bin/sh, no password (but not locked: sshd without
# PAM admits no locked account, even by key), its authorized_keys, in the socket group. On a device
# the mirror's key logs in to it (direct); on the mirror host the devices' keys do (reverse).
ensure_sync_account() {
  ensure_group "$SOCKET_GROUP"
  ensure_user "$SYNC_USER" /bin/sh "$SYNC_HOME"
  if [ "$(getent shadow "$SYNC_USER" | cut -d: -f2)" != "*" ]; then
    account_tool usermod --password '*' "$SYNC_USER"
  fi
  add_to_group "$SYNC_USER" "$SOCKET_GROUP"
  install -d -m 0755 -o root -g root "$SYNC_HOME"
  install -d -m 0700 -o "$SYNC_USER" -g "$SYNC_USER" "$SYNC_HOME/.ssh"
  [ -f "$SYNC_HOME/.ssh/authorized_keys" ] || install -m 0600 -o "$SYNC_USER" -g "$SYNC_USER" /dev/null "$SYNC_HOME/.ssh/authorized_keys"
}

install_mirror() {
  check_libraries "libicuuc.so:libicu (Debian: libicu72)" "libssl.so.3:OpenSSL 3 (Debian: libssl3)"
  ensure_user "$MIRROR_USER"
  # Reverse mode: devices dial this host's sshd as the sync account, whose forced relay reaches the
  # node's session socket through the socket group, of which the node is a member too.
  ensure_sync_account
  add_to_group "$MIRROR_USER" "$SOCKET_GROUP"
  install_binaries mirror
  install -d -m 0755 -o "$MIRROR_USER" -g "$MIRROR_USER" "$MIRROR_RUN"
  install -d -m 0755 -o root -g root "$STATE_ROOT"
  install -d -m 0700 -o "$MIRROR_USER" -g "$MIRROR_USER" "$STATE"
  install -d -m 0755 "$ETC"
  if [ ! -f "$ETC/mirror.hocon" ]; then
    local host="" port=""
    if [ -n "$ADDRESS" ]; then
      host="${ADDRESS%:*}"
      [ "$host" = "$ADDRESS" ] || port="${ADDRESS##*:}"
    fi
    cp "$OPT/hocon/shared.hocon" "$ETC/shared.hocon"
    {
      cat "$OPT/hocon/mirror.hocon"
      cat <<EOF

# Written by install.sh for this installation: these override the defaults above.
# The control socket (the CLI's way in), owner-only in the state directory.
iotsync.mirror.control-socket = "$STATE/run/mirror.sock"
# The mirror's SSH key (made on first start).
iotsync.mirror.ssh.private-key = "$STATE/mirror_ssh_key"
# The SQLite journal of the registry and every device.
iotsync.persistence.database-path = "$STATE/mirror.db"
# The fleet CA's certificate, made by 'iotsync-mirror ca init'.
iotsync.tls.ca-certificate = "$STATE/fleet-ca.crt"
# The fleet CA's key (back it up apart, offline).
iotsync.mirror.ca.key = "$STATE/fleet-ca.key"
# The mirror's certificate from the fleet CA.
iotsync.tls.certificate = "$STATE/mirror.crt"
# Its key.
iotsync.tls.key = "$STATE/mirror.key"
# Reverse-mode devices' sessions arrive here through the relay sshd forces for each device's key; the
# node makes session/ 0750 of the sync account's group.
iotsync.mirror.reverse.session-socket = "$MIRROR_RUN/session/session.sock"
# The group the relay (run by sshd as $SYNC_USER) connects through.
iotsync.mirror.reverse.session-socket-group = "$SOCKET_GROUP"
# The relay the printed authorized_keys lines force, by its absolute path.
iotsync.mirror.reverse.relay-command = "$OPT/bin/iotsync-sync-relay"
# Direct mode: the forced command enroll writes for a device that install.sh installed (its native relay
# into its control socket, by absolute paths; the device's /etc/iotsync/sync-command says the same with its window limit).
iotsync.mirror.enrolment.device-command = "$ROOT/opt/iotsync/bin/iotsync-sync-relay --socket $ROOT/run/iotsync/device.sock"
EOF
      if [ -n "$host" ]; then
        cat <<EOF
# The mirror's name as devices dial it (Akka.Remote compares addresses as text).
akka.remote.dot-netty.tcp.hostname = "$host"
# The address devices' sshd admits the mirror's key from (enroll's default --from).
iotsync.mirror.enrolment.outward-address = "$host"
EOF
      fi
      if [ -n "$port" ]; then
        cat <<EOF
# The heartbeat port.
akka.remote.dot-netty.tcp.port = $port
EOF
      fi
    } >"$ETC/mirror.hocon"
    chmod 0644 "$ETC/mirror.hocon" "$ETC/shared.hocon"
    say "wrote $ETC/mirror.hocon"
  elif [ -n "$ADDRESS" ]; then
    say "kept $ETC/mirror.hocon (--address is used only when it does not exist)"
  fi
  if [ ! -f "$STATE/fleet-ca.crt" ]; then
    setpriv --reuid "$MIRROR_USER" --regid "$MIRROR_USER" --init-groups -- $EMULATOR "$OPT/mirror/iotsync-mirror" ca init --config "$ETC/mirror.hocon"
  fi
  # The reverse-mode drop-in, when this bundle has one.
  if [ -f "$BUNDLE/sshd/iotsync-mirror.conf" ]; then
    sed -e "s|@SYNC_USER@|$SYNC_USER|g" -e "s|@MIRROR_USER@|$MIRROR_USER|g" "$BUNDLE/sshd/iotsync-mirror.conf" \
      | put_text "$SSHD_DROPINS/iotsync-mirror.conf" 0644
  fi
  put_unit iotsync-mirror.service
  if live_systemd; then
    systemctl daemon-reload
    systemctl enable --quiet iotsync-mirror.service
    systemctl start iotsync-mirror.service
  fi
  say "mirror installed; its commands: sudo -u $MIRROR_USER iotsync-mirror devices --config $ETC/mirror.hocon"
}

remove() {
  local path
  for path in "$@"; do
    if [ -e "$path" ] || [ -L "$path" ]; then
      rm -rf "$path"
      say "removed $path"
    fi
  done
}

uninstall() {
  local units=() node="$ROLE" other
  other="$([ "$ROLE" = device ] && echo mirror || echo device)"
  if [ "$ROLE" = device ]; then
    units=(iotsync-device.service iotsync-device-dark.service)
  else
    units=(iotsync-mirror.service)
  fi
  if live_systemd; then
    systemctl disable --now --quiet "${units[@]}" 2>/dev/null || true
  fi
  local unit
  for unit in "${units[@]}"; do remove "$UNITS/$unit"; done
  live_systemd && systemctl daemon-reload || true
  remove "$LINKS/iotsync-$node" "$OPT/$node" "$SSHD_DROPINS/iotsync-$node.conf"
  # The shared parts of /opt/iotsync go with the last role.
  if [ ! -e "$OPT/$other" ]; then
    remove "$OPT/bin" "$OPT/hocon" "$OPT/README.md" "$OPT/VERSION"
    rmdir "$OPT" 2>/dev/null || true
  fi
  if [ "$PURGE" -eq 0 ]; then
    say "kept $ETC, $STATE and the accounts (--purge removes them)"
    return 0
  fi
  remove "$STATE" "$ETC/$node.hocon" "$ETC/sync-command"
  rmdir "$STATE_ROOT" 2>/dev/null || true
  [ -e "$ETC/device.hocon" ] || [ -e "$ETC/mirror.hocon" ] || remove "$ETC"
  local user
  if [ "$ROLE" = device ]; then
    remove "$RUN"
    user="$DEVICE_USER"
  else
    remove "$MIRROR_RUN"
    user="$MIRROR_USER"
  fi
  if getent passwd "$user" >/dev/null; then account_tool userdel "$user"; say "removed account $user"; fi
  # The sync account and the socket group serve both roles: they go with the last one.
  if [ ! -e "$ETC/$other.hocon" ]; then
    remove "$SYNC_HOME"
    if getent passwd "$SYNC_USER" >/dev/null; then account_tool userdel "$SYNC_USER"; say "removed account $SYNC_USER"; fi
    if getent group "$SOCKET_GROUP" >/dev/null; then account_tool groupdel "$SOCKET_GROUP"; say "removed group $SOCKET_GROUP"; fi
  fi
}

if [ "$UNINSTALL" -eq 1 ]; then
  uninstall
elif [ "$ROLE" = device ]; then
  install_device
else
  install_mirror
fi
