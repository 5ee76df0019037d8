import { BarChart, LineChart, PieChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  MarkLineComponent,
  DataZoomComponent,
  CanvasRenderer,
]);

/** What a click on a bar, slice or point hit (ECharts' event, the parts a page needs). */
export interface ChartClick {
  name: string;
  seriesName?: string;
  dataIndex: number;
  seriesIndex?: number;
}

/**
 * One ECharts instance bound to a div; resizes with the window so it fits a phone. `onClick` makes the
 * marks links (a number leads to the records behind it).
 */
export function Chart({
  option,
  height = 280,
  onClick,
  testId,
}: {
  option: echarts.EChartsCoreOption;
  height?: number;
  onClick?: (e: ChartClick) => void;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const click = useRef(onClick);
  click.current = onClick;
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    chart.setOption(option);
    chart.on('click', (e) => click.current?.(e as unknown as ChartClick));
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [option]);
  return (
    <div
      ref={ref}
      data-testid={testId}
      style={{ width: '100%', height, cursor: onClick ? 'pointer' : undefined }}
    />
  );
}
