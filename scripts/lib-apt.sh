# Shell functions about this machine's apt configuration, sourced by the
# scripts that fetch Debian packages (install-deps, make-root,
# fetch-kernel).  The project never names a mirror: it takes the one apt
# already uses.

# Print the mirror URI serving the plain "bookworm" suite, from either a
# deb822 .sources file or a one-line .list file.
apt_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		awk '
			function flush() { if (u != "" && s ~ / bookworm /) print u; u = ""; s = "" }
			/^[[:space:]]*$/ { flush(); next }
			/^URIs:/   { u = $2 }
			/^Suites:/ { $1 = ""; s = $0 " " }
			END { flush() }
		' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		awk '$1 == "deb" && $3 == "bookworm" { print $2 }' "$f"
	done
}
