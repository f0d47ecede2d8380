# The data in /var/lib/flagstaff stays after an erase, as RPM keeps state; remove it by hand.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
