/*
 * Charts of a report, drawn by chart.js on node-canvas (chartjs-node-canvas): every chart is
 * rendered three times from one configuration — a PNG for the HTML report (as a data URI, so the
 * report works offline), and SVG and PDF files for papers. Charts are plain data (ChartSpec):
 * the report decides what to plot, this file only how it looks. No animation, fixed size and
 * colours, so a chart depends on its data only.
 */
import type { ChartConfiguration } from "chart.js";
import { ChartJSNodeCanvas } from "chartjs-node-canvas";

/** Colours per outcome, most severe first (red → grey), and a palette for everything else. */
export const OUTCOME_COLOURS: Record<string, string> = {
  "system-crash": "#b2182b",
  "system-hang": "#e66101",
  "component-dead": "#fdb863",
  "workload-hang": "#d8b365",
  "silent-corruption": "#8e44ad",
  degraded: "#f6d55c",
  recovered: "#3caea3",
  "no-effect": "#1f78b4",
  "not-activated": "#bdbdbd",
};
const PALETTE = ["#1f78b4", "#e66101", "#3caea3", "#b2182b", "#8e44ad", "#f6d55c", "#636363", "#fdb863"];

/** The colour of series `i` named `label` (outcome colours where the label is an outcome). */
export const colourOf = (label: string, i: number): string => OUTCOME_COLOURS[label] ?? PALETTE[i % PALETTE.length];

/** One series of a chart: a label and one value per category (bar) or (x, y) points (line). */
export interface Series {
  label: string;
  /** Its colour (default: by label and position, colourOf). */
  colour?: string;
  values?: number[];
  points?: Array<{ x: number; y: number }>;
}

/** What to draw: stacked or grouped bars over categories, or step lines (a CDF). */
export interface ChartSpec {
  /** File name of the figure (without extension): a-z, 0-9 and dashes. */
  name: string;
  title: string;
  kind: "stacked-bar" | "bar" | "cdf";
  /** Category labels (bars). */
  categories?: string[];
  series: Series[];
  xLabel?: string;
  yLabel?: string;
  /** A logarithmic x axis (cdf). */
  logX?: boolean;
  /** Upper end of the value axis (100 for percentages); default: from the data. */
  max?: number;
  /** Lower end of the value axis (default 0; set it for values that can be negative). */
  min?: number;
  /** Horizontal bars (for many categories). */
  horizontal?: boolean;
  width?: number;
  height?: number;
}

/** A chart rendered: PNG (data URI) for the HTML, SVG and PDF for papers. */
export interface RenderedChart {
  name: string;
  title: string;
  pngDataUri: string;
  svg: Buffer;
  pdf: Buffer;
}

/** The chart.js configuration of a ChartSpec (pure). */
export function chartConfig(spec: ChartSpec): ChartConfiguration {
  const font = { family: "DejaVu Sans, Helvetica, Arial, sans-serif", size: 12 };
  const plugins = {
    title: { display: true, text: spec.title, font: { ...font, size: 14 } },
    legend: { position: "bottom" as const, labels: { font } },
  };
  const axisTitle = (text?: string) => (text ? { display: true, text, font } : { display: false });
  if (spec.kind === "cdf") {
    return {
      type: "line",
      data: {
        datasets: spec.series.map((s, i) => ({
          label: s.label, data: s.points ?? [], stepped: true, fill: false, pointRadius: 0, borderWidth: 2,
          borderColor: s.colour ?? colourOf(s.label, i), backgroundColor: s.colour ?? colourOf(s.label, i),
        })),
      },
      options: {
        animation: false, responsive: false, parsing: false, plugins,
        scales: {
          x: { type: spec.logX ? "logarithmic" : "linear", title: axisTitle(spec.xLabel), ticks: { font } },
          y: { type: "linear", min: 0, max: 1, title: axisTitle(spec.yLabel), ticks: { font } },
        },
      },
    };
  }
  const stacked = spec.kind === "stacked-bar";
  const valueAxis = { min: spec.min ?? 0, ...(spec.max !== undefined ? { max: spec.max } : {}) };
  return {
    type: "bar",
    data: {
      labels: spec.categories ?? [],
      datasets: spec.series.map((s, i) => ({ label: s.label, data: s.values ?? [], backgroundColor: s.colour ?? colourOf(s.label, i) })),
    },
    options: {
      animation: false, responsive: false, indexAxis: spec.horizontal ? "y" : "x", plugins,
      scales: {
        x: { stacked, title: axisTitle(spec.horizontal ? spec.yLabel : spec.xLabel), ticks: { font }, ...(spec.horizontal ? valueAxis : {}) },
        y: { stacked, title: axisTitle(spec.horizontal ? spec.xLabel : spec.yLabel), ticks: { font }, ...(spec.horizontal ? {} : valueAxis) },
      },
    },
  };
}

const canvases = new Map<string, ChartJSNodeCanvas>();

/** One renderer per size and output type (they are costly to create). */
function canvasFor(width: number, height: number, type: "png" | "svg" | "pdf"): ChartJSNodeCanvas {
  const key = `${width}x${height}:${type}`;
  let c = canvases.get(key);
  if (!c) {
    c = new ChartJSNodeCanvas({ width, height, backgroundColour: "white", ...(type === "png" ? {} : { type }) });
    canvases.set(key, c);
  }
  return c;
}

/**
 * The PDF with its creation and modification dates (cairo writes the wall clock) set to a fixed
 * value of the same length, so the file depends on the chart only and its offsets stay valid.
 */
export function withoutClock(pdf: Buffer): Buffer {
  const text = pdf.toString("latin1").replace(/\/(CreationDate|ModDate) \(D:\d{14}/g, (_m, key: string) => `/${key} (D:20000101000000`);
  return Buffer.from(text, "latin1");
}

/** Renders one chart as PNG (data URI), SVG and PDF. */
export function renderChart(spec: ChartSpec): RenderedChart {
  const width = spec.width ?? 720;
  const height = spec.height ?? 360;
  const cfg = (): ChartConfiguration => chartConfig(spec); // chart.js mutates its configuration
  const png = canvasFor(width, height, "png").renderToBufferSync(cfg(), "image/png");
  const svg = canvasFor(width, height, "svg").renderToBufferSync(cfg(), "image/svg+xml");
  const pdf = withoutClock(canvasFor(width, height, "pdf").renderToBufferSync(cfg(), "application/pdf"));
  return { name: spec.name, title: spec.title, pngDataUri: `data:image/png;base64,${png.toString("base64")}`, svg, pdf };
}
