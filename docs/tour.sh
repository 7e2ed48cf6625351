#!/usr/bin/env bash
# A short tour of the API against a running demo: an operator signs in, files a call, dispatches it by its
# category, and the citizen looks it up with the number and query code the intake answered.
#   bash docs/tour.sh http://127.0.0.1:8000
# Needs curl and python3 only (no jq); the token and the ticket number travel in shell variables.
set -euo pipefail

BASE=${1:-http://127.0.0.1:8000}
BASE=${BASE%/}
JSON='content-type: application/json'

field() {  # field KEY [KEY...]: one value from the JSON on stdin, following the keys
  python3 -c 'import json,sys
value = json.load(sys.stdin)
for key in sys.argv[1:]:
    value = value[key]
print(value)' "$@"
}

TOKEN=$(curl -sf -XPOST "$BASE/api/auth/login" -H "$JSON" \
  -d '{"username":"operator1","password":"demo12345"}' | field access_token)
AUTH="Authorization: Bearer $TOKEN"
echo "已登录：operator1（话务员）"

TICKET=$(curl -sf -XPOST "$BASE/api/tickets" -H "$AUTH" -H "$JSON" \
  -d '{"content":"望江花园小区门口路灯坏了","caller_phone":"13800138000","township":"城关街道","type":"complaint"}')
NUMBER=$(field number <<<"$TICKET")
CODE=$(field query_code <<<"$TICKET")
echo "已登记工单：$NUMBER（查询码 $CODE，状态 $(field status_label <<<"$TICKET")）"

# 0107 路灯 goes to the department the catalogue names; the routing worker may have dispatched it already
ANSWER=$(curl -s -w '\n%{http_code}' -XPOST "$BASE/api/tickets/$NUMBER/dispatch" -H "$AUTH" -H "$JSON" \
  -d '{"category_code":"0107"}')
STATUS=${ANSWER##*$'\n'}
if [ "$STATUS" = 200 ]; then
  echo "已派单：$NUMBER → $(field lead_department name <<<"${ANSWER%$'\n'*}")"
else
  LEAD=$(curl -sf "$BASE/api/tickets/$NUMBER" -H "$AUTH" | python3 -c 'import json,sys
lead = json.load(sys.stdin)["lead_department"]
print(lead["name"] if lead else "")')
  if [ -z "$LEAD" ]; then
    echo "派单失败（HTTP $STATUS）：${ANSWER%$'\n'*}" >&2
    exit 1
  fi
  echo "已派单：$NUMBER → $LEAD（智能分派已先派出）"
fi

LOOKUP=$(curl -sf -XPOST "$BASE/api/public/lookup" -H "$JSON" \
  -d "{\"number\":\"$NUMBER\",\"query_code\":\"$CODE\"}")
echo "市民查询：$(field number <<<"$LOOKUP") 状态 $(field status_label <<<"$LOOKUP")"
