# Helpers for bench sections: ratio A B prints A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
# row LABEL VALUE UNIT GOAL RATIO_NOTE
row() { printf '  %-46s %10s %-4s %-14s %s\n' "$1" "$2" "$3" "$4" "$5"; }
