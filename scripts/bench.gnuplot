# make bench's chart. Top: what the reader must judge, each chardev and lock row's Rust/C speed
# ratio (median over loads of the paired rounds, bar: its 95% confidence interval) against 0.95.
# Bottom: the throughput rows in MB/s (log scale: the ceiling is far above), for scale only.
#   gnuplot -e "dat='ratios.dat'; tput='throughput.dat'; png='results.png'" scripts/bench.gnuplot
set terminal pngcairo size 1000,820 font ",10"
set output png
set datafile missing "?"
set multiplot layout 2,1 title "make bench under QEMU TCG: only ratios measured in one run mean anything"

set size 1,0.56
set origin 0,0.42
set tmargin 3
set title "Rust/C speed per row: median over module loads of paired rounds, bar = its 95% confidence interval; target ≥ 0.95"
set ylabel "Rust / C (1.00 = as fast)"
# Capped at 1.6: the chart is for judging the rows against 0.95; a row above is in the table.
set yrange [0.3<*<0.85:1.1<*<1.6]
set ytics 0.1
set mytics 2
set grid ytics mytics
stats dat using 1 nooutput
set xrange [-0.6:STATS_max + 0.6]
set xtics rotate by -30 noenhanced
set key top left
plot 0.95 with lines dt 2 lw 2 lc rgb "#cc0000" title "target 0.95", \
     1.0 with lines lc rgb "#888888" notitle, \
     dat using ($1-0.12):3:4:5:xtic(2) with yerrorbars pt 7 ps 1.2 lw 2 lc rgb "#b7410e" title "Rust / C", \
     "" using ($1+0.12):6:7:8 with yerrorbars pt 6 ps 1 lw 1 lc rgb "#e9a56b" title "Rust without debug checks / C"

set size 1,0.42
set origin 0,0
set tmargin 2
set title "chardev throughput (median of the fastest batches, MB/s, log scale)"
unset yrange
set autoscale y
set ytics auto
set logscale y
set ylabel "MB/s"
set xrange [*:*]
set xtics norotate
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
plot tput using 2:xtic(1) title "Rust" lc rgb "#b7410e", \
     "" using 3 title "C" lc rgb "#3465a4", \
     "" using 5 title "Rust, no debug checks" lc rgb "#e9a56b", \
     "" using 4 title "ceiling (/dev/zero, /dev/null)" lc rgb "#888888"
unset multiplot
