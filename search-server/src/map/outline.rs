//! The outlines of the provinces and labour-market regions as SVG paths, projected once from
//! the open data the gazetteer places vacancies with (so a region's name on the map is the
//! value of the `region` facet).
//!
//! The projection is equirectangular around the Netherlands' mean latitude: at this size its
//! distortion is under 2%, well below what a choropleth shows, and a point projects with two
//! multiplications (the place markers of an opened region).

use std::fmt::Write as _;
use std::sync::LazyLock;

use vindwerk_indexer::normalise::geo::AreaSet;
use vindwerk_indexer::normalise::{province_areas, region_areas};

/// Map units per degree of latitude.
const SCALE: f64 = 100.0;
/// The Netherlands' mean latitude, where a degree of longitude is cos(52.2°) of one of latitude.
const MEAN_LAT: f64 = 52.2;
/// Vertices closer than this (map units) to the last one drawn are left out.
const MIN_STEP: f64 = 0.15;

/// A rectangle in map units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Frame {
    /// The SVG `viewBox` of this frame.
    pub fn view_box(&self) -> String {
        format!(
            "{:.1} {:.1} {:.1} {:.1}",
            self.x, self.y, self.width, self.height
        )
    }

    /// This frame grown by `share` of its larger side on every side, and made no smaller than
    /// `min` map units across.
    pub fn padded(&self, share: f64, min: f64) -> Frame {
        let pad = self.width.max(self.height) * share;
        let width = (self.width + 2.0 * pad).max(min);
        let height = (self.height + 2.0 * pad).max(min);
        Frame {
            x: self.x + self.width / 2.0 - width / 2.0,
            y: self.y + self.height / 2.0 - height / 2.0,
            width,
            height,
        }
    }
}

/// One area: its name (the facet value) and its outline.
#[derive(Debug, Clone)]
pub struct Shape {
    pub name: String,
    /// SVG path data, every ring closed; fill it with `fill-rule="evenodd"`.
    pub path: String,
    pub frame: Frame,
}

/// Both area sets of the map.
#[derive(Debug)]
pub struct Outlines {
    pub provinces: Vec<Shape>,
    pub regions: Vec<Shape>,
    /// The whole country.
    pub country: Frame,
}

/// Projects (lon, lat) to map units (x east, y south).
pub fn project(lon: f64, lat: f64) -> (f64, f64) {
    let x = lon * MEAN_LAT.to_radians().cos() * SCALE;
    let y = -lat * SCALE;
    (x, y)
}

/// The outlines of the embedded data, read once; `None` (and logged) if the data is unreadable,
/// which the tests of the gazetteer rule out for a build.
pub fn outlines() -> Option<&'static Outlines> {
    static OUTLINES: LazyLock<Option<Outlines>> = LazyLock::new(|| {
        let read = province_areas().and_then(|p| Ok((p, region_areas()?)));
        match read {
            Ok((provinces, regions)) => Some(Outlines::new(&provinces, &regions)),
            Err(error) => {
                tracing::error!(%error, "reading the map's outlines");
                None
            }
        }
    });
    OUTLINES.as_ref()
}

impl Outlines {
    fn new(provinces: &AreaSet, regions: &AreaSet) -> Outlines {
        let provinces = shapes(provinces);
        let regions = shapes(regions);
        let country = provinces
            .iter()
            .chain(&regions)
            .map(|shape| shape.frame)
            .reduce(union)
            .unwrap_or(Frame {
                x: 0.0,
                y: 0.0,
                width: 1.0,
                height: 1.0,
            });
        Outlines {
            provinces,
            regions,
            country,
        }
    }
}

fn union(a: Frame, b: Frame) -> Frame {
    let x = a.x.min(b.x);
    let y = a.y.min(b.y);
    Frame {
        x,
        y,
        width: (a.x + a.width).max(b.x + b.width) - x,
        height: (a.y + a.height).max(b.y + b.height) - y,
    }
}

fn shapes(areas: &AreaSet) -> Vec<Shape> {
    let mut shapes: Vec<Shape> = areas
        .areas()
        .iter()
        .map(|area| {
            let mut path = String::new();
            for ring in area.rings() {
                ring_path(&mut path, ring);
            }
            let (min_lon, min_lat, max_lon, max_lat) = area.bbox();
            let (x0, y0) = project(min_lon, max_lat);
            let (x1, y1) = project(max_lon, min_lat);
            Shape {
                name: area.name.clone(),
                path,
                frame: Frame {
                    x: x0,
                    y: y0,
                    width: x1 - x0,
                    height: y1 - y0,
                },
            }
        })
        .collect();
    shapes.sort_by(|a, b| a.name.cmp(&b.name));
    shapes
}

/// Appends one closed ring, in relative moves with one decimal.
fn ring_path(path: &mut String, ring: &[(f64, f64)]) {
    let points: Vec<(f64, f64)> = ring.iter().map(|&(lon, lat)| project(lon, lat)).collect();
    let Some(&(x0, y0)) = points.first() else {
        return;
    };
    if points.len() < 3 {
        return;
    }
    // Rounded positions, so that relative steps add up without drift.
    let round = |v: f64| (v * 10.0).round() as i64;
    let (mut last_x, mut last_y) = (round(x0), round(y0));
    let _ = write!(path, "M{} {}", tenths(last_x), tenths(last_y));
    let mut drawn = 1;
    for &(x, y) in &points[1..] {
        let (rx, ry) = (round(x), round(y));
        let (dx, dy) = (rx - last_x, ry - last_y);
        if (((dx * dx + dy * dy) as f64).sqrt() / 10.0) < MIN_STEP {
            continue;
        }
        let _ = write!(path, "l{} {}", tenths(dx), tenths(dy));
        (last_x, last_y) = (rx, ry);
        drawn += 1;
    }
    if drawn < 3 {
        // Too small to see: leave the ring out rather than draw a speck.
        let start = path.rfind('M').unwrap_or(0);
        path.truncate(start);
        return;
    }
    path.push('z');
}

/// An integer number of tenths as a short decimal: 12 -> "1.2", -3 -> "-.3", 20 -> "2".
fn tenths(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let (whole, tenth) = (value.abs() / 10, value.abs() % 10);
    match (whole, tenth) {
        (0, 0) => "0".to_owned(),
        (0, t) => format!("{sign}.{t}"),
        (w, 0) => format!("{sign}{w}"),
        (w, t) => format!("{sign}{w}.{t}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_and_province_has_an_outline_inside_the_country() {
        let outlines = outlines().expect("the embedded outlines read");
        assert_eq!(outlines.regions.len(), 35);
        assert_eq!(outlines.provinces.len(), 12);
        let country = outlines.country;
        for shape in outlines.regions.iter().chain(&outlines.provinces) {
            assert!(shape.path.starts_with('M'), "{}", shape.name);
            assert!(shape.path.ends_with('z'), "{}", shape.name);
            assert!(shape.frame.width > 1.0 && shape.frame.height > 1.0);
            assert!(shape.frame.x >= country.x && shape.frame.y >= country.y);
        }
        // The Netherlands is about 300 km wide and 320 km high.
        let ratio = country.height / country.width;
        assert!((1.0..1.4).contains(&ratio), "{ratio}");
        let utrecht = outlines
            .regions
            .iter()
            .find(|shape| shape.name == "Midden-Utrecht")
            .expect("Midden-Utrecht");
        let (x, y) = project(5.12, 52.09);
        let frame = utrecht.frame;
        assert!(x > frame.x && x < frame.x + frame.width);
        assert!(y > frame.y && y < frame.y + frame.height);
    }

    #[test]
    fn tenths_are_short() {
        assert_eq!(tenths(12), "1.2");
        assert_eq!(tenths(-3), "-.3");
        assert_eq!(tenths(20), "2");
        assert_eq!(tenths(0), "0");
        assert_eq!(tenths(-125), "-12.5");
    }

    #[test]
    fn a_padded_frame_keeps_its_centre() {
        let frame = Frame {
            x: 10.0,
            y: 20.0,
            width: 4.0,
            height: 2.0,
        };
        let padded = frame.padded(0.25, 0.0);
        assert_eq!(padded.width, 6.0);
        assert_eq!(padded.height, 4.0);
        assert_eq!(padded.x + padded.width / 2.0, 12.0);
        assert_eq!(padded.y + padded.height / 2.0, 21.0);
    }
}
