#!/bin/sh
# planted.sh -- planted redundancy in real ACAS Xu networks: the widen tool
# adds duplicates, power-of-two multiples, dead and constant neurons and
# shuffles every hidden layer; the widened network must equal the original
# exactly, `reduce` must give back exactly the original sizes with a
# quotient equal to the widened network, `check` must accept the
# certificate, and `equiv` must prove original and widening equivalent.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
WIDEN=${LUMPNET_WIDEN:-}
[ -n "$WIDEN" ] && [ -x "$WIDEN" ] || skip "the widen test tool is not built (LUMPNET_WIDEN)"
IDS="1_1 2_3 3_5 4_7 5_9"
for id in $IDS; do
  need_data "acasxu/ACASXU_run2a_${id}_batch_2000.nnet"
done


# COUNT random rational inputs p/q inside the clip box of the NNet file
# (its 4th and 5th header lines after the comments: minima, maxima).
box_inputs() { # nnet count seed
  awk -F, -v c="$2" -v seed="$3" '
    /^\/\// { next }
    { k++ }
    k == 4 { for (i = 1; i <= NF; i++) if ($i != "") lo[n1++] = $i }
    k == 5 { for (i = 1; i <= NF; i++) if ($i != "") hi[n2++] = $i }
    END { srand(seed);
      for (t = 0; t < c; t++) { s = "";
        for (i = 0; i < n1; i++) {
          q = 1 + int(rand() * 997);
          p = int((lo[i] + (hi[i] - lo[i]) * rand()) * q);
          s = s (i ? "," : "") p "/" q }
        print s } }' "$1"
}

same_exact() { # a b inputs
  "$LUMPNET" eval "$1" --exact --inputs "$3" > "$TMP/ya" || fail "eval $1"
  "$LUMPNET" eval "$2" --exact --inputs "$3" > "$TMP/yb" || fail "eval $2"
  [ "$(wc -l < "$TMP/ya")" -ge 100 ] || fail "too few outputs for $1"
  cmp -s "$TMP/ya" "$TMP/yb" || fail "$1 and $2 differ exactly"
}

# the layer sizes of `info --json`, outputs included, as one line
sizes() {
  "$LUMPNET" info "$1" --json > "$TMP/info.json" || fail "info $1"
  grep '"size"' "$TMP/info.json" | sed 's/[^0-9]//g' | tr '\n' ' '
}

seed=1
for id in $IDS; do
  f="$DATA/acasxu/ACASXU_run2a_${id}_batch_2000.nnet"
  w="$TMP/wide_$id.json"; q="$TMP/q_$id.json"; c="$TMP/cert_$id.json"
  expect_exit 0 "$WIDEN" "$f" "$w" --seed "$seed" --dup 4 --mult 3 --dead 2 --const 2
  [ "$(sizes "$w")" != "$(sizes "$f")" ] || fail "widen planted nothing in $id"

  box_inputs "$f" 100 "$seed" > "$TMP/in.txt"
  same_exact "$f" "$w" "$TMP/in.txt"

  expect_exit 0 "$LUMPNET" reduce "$w" -o "$q" --cert "$c"
  [ "$(sizes "$q")" = "$(sizes "$f")" ] ||
    fail "$id: reduce gave sizes $(sizes "$q"), the original has $(sizes "$f")"

  box_inputs "$f" 100 $((seed + 100)) > "$TMP/in2.txt"
  same_exact "$w" "$q" "$TMP/in2.txt"
  same_exact "$f" "$q" "$TMP/in.txt"

  expect_exit 0 "$LUMPNET" check "$w" "$q" "$c"
  expect_exit 0 "$LUMPNET" equiv "$f" "$w"
  expect_exit 0 "$LUMPNET" equiv "$w" "$q" --json
  grep -q '"verdict": *"equivalent"' "$TMP/out" || fail "equiv --json: $(cat "$TMP/out")"
  seed=$((seed + 1))
done

# the same input gives byte-identical quotient and certificate
w="$TMP/wide_1_1.json"
expect_exit 0 "$LUMPNET" reduce "$w" -o "$TMP/again.json" --cert "$TMP/again_cert.json"
cmp -s "$TMP/q_1_1.json" "$TMP/again.json" || fail "reduce is not deterministic (quotient)"
cmp -s "$TMP/cert_1_1.json" "$TMP/again_cert.json" || fail "reduce is not deterministic (cert)"

echo "planted: $(echo $IDS | wc -w) widened ACAS Xu networks reduced to their original sizes"
