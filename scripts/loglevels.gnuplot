# make loglevels' grid: rows the eight pr_*! lines, columns the console log levels and boot
# parameters; green: the line reached the console (and the log buffer), grey: the buffer only.
#   gnuplot -e "dat='loglevels.dat'; png='loglevels.png'; ncol=12; nrt=9" scripts/loglevels.gnuplot
# ncol columns, the first nrt of them console levels set at run time, the others boot parameters.
# Reads the tic labels from loglevels.gp, next to dat.
width = 260 + 95 * ncol
if (width < 900) width = 900
set terminal pngcairo size width, 560 font ",10"
set output png
set title "lab\\_printing's eight lines: on the console, or in the log buffer only (make loglevels)"
set border 0
set tics scale 0
set xtics noenhanced font ",9" offset 0, -0.3
set ytics noenhanced
set xrange [-0.5:ncol - 0.5]
set yrange [-0.5:7.5]
set bmargin 5
set key off
load dat[1:strlen(dat) - 4] . ".gp"
if (nrt > 0 && nrt < ncol) set arrow 1 from nrt - 0.5, -0.5 to nrt - 0.5, 7.5 nohead lw 3 lc rgb "#444444"
if (nrt > 0) set label 2 "console log level set at run time" at (nrt - 1) / 2.0, 7.75 center font ",9"
if (nrt < ncol) set label 3 "boot parameter" at (nrt + ncol - 1) / 2.0, 7.75 center font ",9"
set yrange [-0.5:7.95]
set label 1 "green: console + log buffer    grey: log buffer only (dmesg -r)    lower line of each column: /proc/sys/kernel/printk" \
	at screen 0.5, screen 0.03 center font ",9"
plot dat using 1:2:(0.47):(0.47):($3 == 1 ? 0x5cb85c : 0xcfcfcf) with boxxyerror fs solid 1.0 noborder lc rgb variable, \
     "" using 1:($2 + 0.14):(stringcolumn(4)) with labels font ",9" tc rgb "black", \
     "" using 1:($2 - 0.16):(stringcolumn(5)) with labels font ",9" tc rgb "black"
