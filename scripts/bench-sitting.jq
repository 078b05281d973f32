# Turns the results of scripts/bench-sitting.sh (one object per run:
# {name, r: {p50, p95, p99, max, tput, lost, dup, rss}} or {name, failed})
# into the sitting's table and the goals' ratios, in Markdown.
def byname: map({key: .name, value: .}) | from_entries;
def num: if . == null then "–" elif . >= 1000 then (. | round | tostring | (if length > 3 then .[0:length-3] + "," + .[length-3:] else . end)) else (. * 10 | round / 10 | tostring) end;
def row($wl; $sys):
  if .failed then "| \($wl) | \($sys) | failed, see its log | | | | | | |"
  else .r as $r | "| \($wl) | \($sys) | \($r.p50 | num) | \($r.p95 | num) | \($r.p99 | num) | \($r.max | num) | \($r.tput | num) | \($r.lost) / \($r.dup) | \($r.rss | num) |" end;
def ratio($a; $b): if ($a == null or $b == null or $b == 0) then null else ($a / $b * 100 | round / 100) end;
def verdict($ok): if $ok == null then "–" elif $ok then "**met**" else "**not met**" end;
def clean: if . == null or .failed then null else .r end;

byname as $runs
| [ ["herald-sqlite-w1", "W1", "Herald SQLite"], ["herald-pg-w1", "W1", "Herald PostgreSQL"],
    ["river-pg-w1", "W1", "River PG"], ["river-sqlite-w1", "W1", "River SQLite"], ["bullmq-w1", "W1", "BullMQ"],
    ["herald-sqlite-w2", "W2", "Herald SQLite"], ["herald-pg-w2", "W2", "Herald PostgreSQL"],
    ["herald-pg2-w2", "W2", "Herald PostgreSQL, 2 instances"],
    ["river-pg-w2", "W2", "River PG"], ["river-sqlite-w2", "W2", "River SQLite"], ["bullmq-w2", "W2", "BullMQ"],
    ["herald-sqlite-w3", "W3", "Herald SQLite"], ["herald-pg-w3", "W3", "Herald PostgreSQL"] ] as $order
| ($runs["herald-pg-w2"] | clean) as $hpg
| ($runs["herald-pg2-w2"] | clean) as $hpg2
| ($runs["herald-sqlite-w2"] | clean) as $hsq
| ($runs["river-pg-w2"] | clean) as $rpg
| ($runs["herald-sqlite-idle"] | clean) as $idle
| ( ["| workload | system | p50 ms | p95 ms | p99 ms | max ms | throughput/s | lost / dup | RSS MB |",
     "|---|---|---|---|---|---|---|---|---|"]
    + [ $order[] as $o | $runs[$o[0]] | select(. != null) | row($o[1]; $o[2]) ]
    + (if $idle then ["| idle | Herald SQLite, 100,000 scheduled | | | | | | | \($idle.rss | num) (highest over 65 s) |"] else [] end)
    + ["", "| goal | measured | ratio | status |", "|---|---|---|---|"]
    + [ "| PostgreSQL W2 throughput ≥ 1.25 × River PG | \($hpg.tput | num) vs \($rpg.tput | num) /s | \(ratio($hpg.tput; $rpg.tput) // "–") | \(verdict(if $hpg and $rpg then ratio($hpg.tput; $rpg.tput) >= 1.25 else null end)) |",
        "| PostgreSQL W2 p99 ≤ River PG p99 | \($hpg.p99 | num) vs \($rpg.p99 | num) ms | \(ratio($hpg.p99; $rpg.p99) // "–") | \(verdict(if $hpg and $rpg then $hpg.p99 <= $rpg.p99 else null end)) |",
        "| SQLite W2 throughput ≥ River PG | \($hsq.tput | num) vs \($rpg.tput | num) /s | \(ratio($hsq.tput; $rpg.tput) // "–") | \(verdict(if $hsq and $rpg then $hsq.tput >= $rpg.tput else null end)) |",
        "| 2 instances W2 throughput ≥ 1 instance | \($hpg2.tput | num) vs \($hpg.tput | num) /s | \(ratio($hpg2.tput; $hpg.tput) // "–") | \(verdict(if $hpg and $hpg2 then $hpg2.tput >= $hpg.tput else null end)) |" ]
    + [ ["herald-sqlite-w3", "SQLite"], ["herald-pg-w3", "PostgreSQL"] | . as [$n, $l] | ($runs[$n] | clean) as $r
        | "| \($l) W3 all out ≤ 10 s | \($r.max | num) ms | | \(verdict(if $r then $r.max <= 10000 else null end)) |" ]
    + [ ["herald-sqlite-w1", "SQLite"], ["herald-pg-w1", "PostgreSQL"] | . as [$n, $l] | ($runs[$n] | clean) as $r
        | "| \($l) W1 p99 ≤ 100 ms | \($r.p99 | num) ms | | \(verdict(if $r then $r.p99 <= 100 else null end)) |" ]
    + [ "| idle RSS ≤ 60 MB, 100,000 scheduled | \($idle.rss | num) MB | | \(verdict(if $idle then $idle.rss <= 60 else null end)) |",
        "| 0 lost, 0 duplicated (every run) | \([$runs[] | clean | select(. != null) | .lost + .dup] | add) in all | | \(verdict([$runs[] | clean | select(. != null) | .lost + .dup] | add == 0)) |" ]
  ) | .[]
