# Installed enabled but not started, as Fedora and RHEL do; an upgrade restarts a running one.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -eq 1 ]; then
        systemctl enable flagstaff.service >/dev/null 2>&1 || :
    else
        systemctl try-restart flagstaff.service >/dev/null 2>&1 || :
    fi
fi
