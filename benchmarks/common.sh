# Sourced by the whole-process benchmark scripts (jdk-tools.sh, startup.sh).

# median of the numbers in a file, one a line
median() {
    sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
