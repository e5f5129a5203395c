/**
 * One time series chart drawn with uPlot. Loaded lazily (with uPlot and its CSS) only by the
 * Metrics tab; resizes with its container.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

export default function UPlotChart({
  times,
  series,
  format,
  max,
}: {
  times: number[];
  series: ChartSeries[];
  format: (v: number) => string;
  /** Fixed top of the y scale (e.g. 100 for percent, the memory limit); otherwise from the data. */
  max?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((s) => `${s.label}|${s.color}`).join(',');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = { stroke: '#888', grid: { stroke: 'rgba(128,128,128,0.15)' }, ticks: { show: false } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: 160,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, dataMax) => [0, max ?? Math.max(1, dataMax * 1.15)] },
      },
      axes: [axis, { ...axis, size: 70, values: (_u, splits) => splits.map((v) => format(v)) }],
      series: [
        {},
        ...labels.split(',').map((l) => {
          const [label, color] = l.split('|');
          return { label, stroke: color, width: 2, fill: `${color}22`, points: { show: false } };
        }),
      ],
    };
    const u = new uPlot(opts, [[], ...labels.split(',').map(() => [])], el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: 160 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [labels, format, max]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)]);
  }, [times, series, labels, format, max]);

  return <div ref={box} className="w-full" aria-hidden />;
}
