# The flagstaff user exists before the files that name it are installed.
if command -v systemd-sysusers >/dev/null 2>&1; then
    echo 'u flagstaff - "Flagstaff feature-flag server" /var/lib/flagstaff' | systemd-sysusers - || :
fi
