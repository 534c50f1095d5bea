# Shared by scripts/bench-gateway and scripts/bench-gateway-ab (sourced,
# after `die` and `WORK` are set): the upstream both benchmarks proxy to, and
# the helpers that start servers on free loopback ports.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    die "nothing listens on port $1"
}

# nginx's main configuration for server NAME with http-block INCLUDE (a file
# in $WORK). nginx runs as the current user (as root, workers keep root).
nginx_main() { # name, include
    local user_line=""
    [ "$(id -u)" -eq 0 ] && user_line="user root;"
    cat <<CONF
$user_line
worker_processes 1;
daemon off;
pid $WORK/$1.pid;
error_log $WORK/$1.error.log crit;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_requests 10000000;
    client_body_temp_path $WORK/$1.body;
    proxy_temp_path $WORK/$1.proxy;
    fastcgi_temp_path $WORK/$1.fcgi;
    uwsgi_temp_path $WORK/$1.uwsgi;
    scgi_temp_path $WORK/$1.scgi;
    include $WORK/$2;
}
CONF
}

# The upstream: one nginx worker answering a fixed 49-byte JSON with
# `X-Request-Id`, keep-alive, on CPU 1, listening on port $1. Its pid is
# added to PIDS.
start_upstream() { # port
    cat > "$WORK/upstream.conf" <<CONF
server {
    listen 127.0.0.1:$1;
    location / {
        default_type application/json;
        add_header X-Request-Id bench;
        return 200 '[{"id":1,"name":"apple"},{"id":2,"name":"pear"}]';
    }
}
CONF
    nginx_main upstream upstream.conf > "$WORK/upstream.main.conf"
    nginx -t -q -c "$WORK/upstream.main.conf" -p "$WORK" 2>/dev/null || nginx -t -c "$WORK/upstream.main.conf" -p "$WORK"
    taskset -c 1 nginx -c "$WORK/upstream.main.conf" -p "$WORK" &
    PIDS+=($!)
    wait_port "$1"
}
