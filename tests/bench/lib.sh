# shellcheck shell=bash
# What tests/bench/*.sh share: the rounds, and one figure as a "# BENCH"
# line (scripts/bench-report reads them).  Sourced after tests/lib.sh.
# A bench defines stack_up STACK, stack_down and measure_stack ROUND
# STACK, names its vDPA device bench0, then calls bench_rounds WHAT.

# stack_mode: dpu_vdpa's mode for bench0 as vdpa-mgmt ($MGMT) reports it
stack_mode() {
	"$MGMT" -j dev status bench0 | jq -r '.. | .mode? // empty' | head -n1
}

# measure ROUND STACK METRIC CMD...: one figure; an empty, null or zero
# result is a failure, not a figure
measure() {
	local round=$1 stack=$2 metric=$3 v
	shift 3
	v=$("$@")
	if [ -n "$v" ] && [ "$v" != null ] && [ "$v" != 0 ]; then
		echo "# BENCH $round $stack $metric $v"
		t_result 0 "round $round $stack: $metric $v"
	else
		t_result 1 "round $round $stack: $metric"
	fi
}

# bench_rounds WHAT: ROUNDS rounds over STACKS, each round starting one
# stack later, so that none always runs first or last; WHAT names the
# function under test in the results ("A", "the disk")
bench_rounds() {
	local what=$1 order r i s
	read -ra order <<<"$STACKS"
	for ((r = 1; r <= ROUNDS; r++)); do
		for ((i = 0; i < ${#order[@]}; i++)); do
			s=${order[$(((i + r - 1) % ${#order[@]}))]}
			if ! stack_up "$s" >/tmp/stack.log 2>&1; then
				sed 's/^/#   /' /tmp/stack.log
				t_result 1 "round $r $s: $what up under $s"
				stack_down >/dev/null 2>&1
				continue
			fi
			case $s in
			direct) t_eq "round $r $s: mode" direct "$(stack_mode)" ;;
			shadow|shadow_log) t_eq "round $r $s: mode" shadow "$(stack_mode)" ;;
			esac
			measure_stack "$r" "$s"
			t_ok "round $r $s: $what down" -- stack_down
		done
	done
}
