/**
 * The height of each chart in px, shared by the chart and the placeholder shown while its code
 * loads, so that nothing on the page moves when a chart arrives.
 */
export const CHART_HEIGHT = { status: 200, priority: 200, trend: 240 } as const;
