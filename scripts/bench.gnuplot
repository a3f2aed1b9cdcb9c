# make bench's chart: the throughput rows, Rust, C and the ceiling side by side.
#   gnuplot -e "dat='results.dat'; png='results.png'" scripts/bench.gnuplot
set terminal pngcairo size 900,480 font ",10"
set output png
set title "chardev throughput under QEMU TCG (median MB/s, log scale): only ratios within one run mean anything"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set ylabel "MB/s"
set grid ytics
set key top left
set datafile missing "?"
set xtics noenhanced
plot dat using 2:xtic(1) title "Rust" lc rgb "#b7410e", \
     "" using 3 title "C" lc rgb "#3465a4", \
     "" using 5 title "Rust, no debug assertions" lc rgb "#e9a56b", \
     "" using 4 title "ceiling (/dev/zero, /dev/null)" lc rgb "#888888"
