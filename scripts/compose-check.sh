#!/usr/bin/env bash
# Start compose.yaml (PostgreSQL + two bot processes in webhook mode) against the Bot API
# emulator instead of Telegram, wait until every bot process is healthy, check that they
# elected one leader and registered the webhook, then stop them with SIGTERM (exit 0 expected).
# Needs a Docker daemon; without one it says so and exits 0 (CI runs it where one exists).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! docker info > /dev/null 2>&1; then
  echo "compose check skipped: no Docker daemon (compose.yaml is not tested on this machine)"
  exit 0
fi

project="gigbot-check-$$"
work="$(mktemp -d)"
cat > "$work/check.env" <<ENV
GIGBOT_TOKEN=123456789:compose-check-token-for-the-emulator
GIGBOT_API_URL=http://emulator:8081
GIGBOT_WEBHOOK_URL=http://bot:8080/telegram
GIGBOT_WEBHOOK_SECRET=compose-check-secret
GIGBOT_SECRET_KEY=-Pb_zmgzutohBuAgwvfurdF4ofojGm6JKTiEJVwjA_A=
POSTGRES_PASSWORD=compose-check
GIGBOT_PUBLISH=127.0.0.1:
ENV
compose=(docker compose -p "$project" -f compose.yaml -f "$work/check.yaml" --env-file "$work/check.env")
trap '"${compose[@]}" down -v --remove-orphans > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
cat > "$work/check.yaml" <<YAML
services:
  emulator:
    build: $(pwd)
    command: ["python", "-m", "gigbot.emulator", "--host", "0.0.0.0", "--port", "8081"]
  bot:
    env_file: !reset []  # the check's settings only, not an operator's .env
    environment:
      GIGBOT_TOKEN: 123456789:compose-check-token-for-the-emulator
      GIGBOT_API_URL: http://emulator:8081
      GIGBOT_WEBHOOK_URL: http://bot:8080/telegram
      GIGBOT_WEBHOOK_SECRET: compose-check-secret
      GIGBOT_SECRET_KEY: -Pb_zmgzutohBuAgwvfurdF4ofojGm6JKTiEJVwjA_A=
    depends_on:
      emulator:
        condition: service_started
YAML

"${compose[@]}" up -d --build --wait --wait-timeout 180
echo "compose: every service healthy"

leaders=$("${compose[@]}" exec -T postgres psql -U gigbot -d gigbot -tAc \
  "SELECT count(*) FROM gigbot_process WHERE leader")
processes=$("${compose[@]}" exec -T postgres psql -U gigbot -d gigbot -tAc \
  "SELECT count(*) FROM gigbot_process")
echo "compose: $processes bot processes, $leaders leader"
[ "$processes" = "2" ] && [ "$leaders" = "1" ]

"${compose[@]}" stop -t 15 bot
codes=$("${compose[@]}" ps -a --format '{{.Service}} {{.ExitCode}}' | awk '$1 == "bot" {print $2}' | sort -u)
echo "compose: bot exit codes after SIGTERM: $codes"
[ "$codes" = "0" ]
echo "compose check passed"
