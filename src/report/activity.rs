//! Alerts over time: counted per minute (per hour once the span grows long, so memory stays
//! bounded on endless input) and drawn as a stacked bar chart of at most [`MAX_BARS`] bars.

use super::fields::epoch_text;
use super::model::{ActivityChart, BucketCount, ChartLabel, ChartSegment};
use crate::time::duration_text;
use std::collections::BTreeMap;

/// Bars in the chart at most.
pub const MAX_BARS: i64 = 60;
/// Distinct buckets kept before minutes become hours.
const MAX_BUCKETS: usize = 100_000;
/// Bar widths to choose from, in seconds.
const WIDTHS: [i64; 11] = [
    60,
    5 * 60,
    15 * 60,
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86_400,
    7 * 86_400,
    30 * 86_400,
    365 * 86_400,
];
const CHART_WIDTH: u32 = 960;
const CHART_HEIGHT: u32 = 220;
const LEFT: u32 = 44;
const BOTTOM: u32 = 28;
const TOP: u32 = 10;
/// Severity classes, bottom of a stack first.
const CLASSES: [&str; 4] = ["critical", "high", "medium", "low"];

/// Alert counts by time and severity (CRITICAL, HIGH, MEDIUM, LOW).
#[derive(Debug)]
pub struct Activity {
    resolution: i64,
    buckets: BTreeMap<i64, [u64; 4]>,
}

impl Default for Activity {
    fn default() -> Self {
        Activity {
            resolution: 60,
            buckets: BTreeMap::new(),
        }
    }
}

impl Activity {
    /// Counts one alert at `seconds` with severity `rank` (1 LOW … 4 CRITICAL).
    pub fn add(&mut self, seconds: i64, rank: u8) {
        let slot = 4usize.saturating_sub(usize::from(rank.clamp(1, 4)));
        self.buckets
            .entry(seconds.div_euclid(self.resolution) * self.resolution)
            .or_default()[slot] += 1;
        if self.buckets.len() > MAX_BUCKETS {
            self.coarsen();
        }
    }

    fn coarsen(&mut self) {
        self.resolution = WIDTHS
            .iter()
            .copied()
            .find(|width| *width > self.resolution)
            .unwrap_or(self.resolution * 2);
        let old = std::mem::take(&mut self.buckets);
        for (start, counts) in old {
            let bucket = self
                .buckets
                .entry(start.div_euclid(self.resolution) * self.resolution)
                .or_default();
            for (sum, count) in bucket.iter_mut().zip(counts) {
                *sum += count;
            }
        }
    }

    /// The chart: a bar width from [`WIDTHS`] that gives at most [`MAX_BARS`] bars over the
    /// whole span, each bar stacked by severity.
    pub fn chart(&self) -> ActivityChart {
        let (Some((&first, _)), Some((&last, _))) = (self.buckets.first_key_value(), self.buckets.last_key_value())
        else {
            return ActivityChart {
                bucket: String::new(),
                width: CHART_WIDTH,
                height: CHART_HEIGHT,
                max: 0,
                segments: Vec::new(),
                labels: Vec::new(),
                buckets: Vec::new(),
            };
        };
        let span = last - first + self.resolution;
        let width = WIDTHS
            .iter()
            .copied()
            .filter(|width| *width >= self.resolution)
            .find(|width| (span + width - 1) / width <= MAX_BARS)
            .unwrap_or(WIDTHS[WIDTHS.len() - 1]);
        let start = first.div_euclid(width) * width;
        let bars = ((last - start) / width + 1).clamp(1, MAX_BARS * 2);
        let mut totals = vec![[0u64; 4]; usize::try_from(bars).unwrap_or(1)];
        for (&time, counts) in &self.buckets {
            let index = usize::try_from((time - start) / width)
                .unwrap_or(0)
                .min(totals.len() - 1);
            for (sum, count) in totals[index].iter_mut().zip(counts) {
                *sum += count;
            }
        }
        let max = totals
            .iter()
            .map(|counts| counts.iter().sum::<u64>())
            .max()
            .unwrap_or(0)
            .max(1);
        let plot_width = CHART_WIDTH - LEFT - 4;
        let plot_height = CHART_HEIGHT - BOTTOM - TOP;
        let bar_width = plot_width / totals.len() as u32;
        let gap = u32::from(bar_width > 4);
        let mut segments = Vec::new();
        let mut buckets = Vec::new();
        for (index, counts) in totals.iter().enumerate() {
            let x = LEFT + index as u32 * bar_width;
            let bucket_start = start + index as i64 * width;
            let total: u64 = counts.iter().sum();
            if total > 0 {
                buckets.push(BucketCount {
                    start: epoch_text(bucket_start),
                    alerts: total,
                });
            }
            let mut bottom = TOP + plot_height;
            for (slot, &count) in counts.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let height = ((count as f64 / max as f64) * f64::from(plot_height)).round().max(1.0) as u32;
                let height = height.min(bottom - TOP);
                bottom -= height;
                segments.push(ChartSegment {
                    x,
                    y: bottom,
                    width: bar_width.saturating_sub(gap).max(1),
                    height,
                    class: CLASSES[slot],
                    title: format!(
                        "{}: {count} {} alerts",
                        epoch_text(bucket_start),
                        CLASSES[slot].to_uppercase()
                    ),
                });
            }
        }
        let label_every = (totals.len() / 6).max(1);
        let labels = (0..totals.len())
            .step_by(label_every)
            .map(|index| ChartLabel {
                x: LEFT + index as u32 * bar_width + bar_width / 2,
                text: epoch_text(start + index as i64 * width),
            })
            .collect();
        ActivityChart {
            bucket: duration_text(width),
            width: CHART_WIDTH,
            height: CHART_HEIGHT,
            max,
            segments,
            labels,
            buckets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_stack_by_severity_and_fit_the_chart() {
        let mut activity = Activity::default();
        activity.add(0, 4);
        activity.add(30, 1);
        activity.add(7200, 3);
        let chart = activity.chart();
        assert_eq!(chart.bucket, "5 min");
        assert_eq!(chart.max, 2);
        let classes: Vec<_> = chart.segments.iter().map(|segment| segment.class).collect();
        assert_eq!(classes, vec!["critical", "low", "high"]);
        // The first bar is two alerts high: the whole plot.
        let first: u32 = chart.segments[..2].iter().map(|segment| segment.height).sum();
        assert_eq!(first, CHART_HEIGHT - BOTTOM - TOP);
        assert!(chart
            .segments
            .iter()
            .all(|segment| segment.x + segment.width <= CHART_WIDTH));
        assert_eq!(chart.buckets.len(), 2);
    }

    #[test]
    fn endless_input_stays_bounded() {
        let mut activity = Activity::default();
        for minute in 0..(MAX_BUCKETS as i64 + 10) {
            activity.add(minute * 60, 2);
        }
        assert!(activity.buckets.len() <= MAX_BUCKETS);
        let total: u64 = activity.buckets.values().map(|counts| counts.iter().sum::<u64>()).sum();
        assert_eq!(total, MAX_BUCKETS as u64 + 10);
        assert!(activity.chart().segments.len() as i64 <= MAX_BARS * 2);
    }
}
