//! Areas (provinces, labour-market regions) read from GeoJSON, and which area holds a point.
//!
//! A small ray-casting point-in-polygon over (Multi)Polygons with holes, instead of the `geo`
//! crate: the boundaries are a few thousand vertices, the test is twenty lines that the tests
//! below check, and `geo` would add a dozen crates to every build of the two-core machine for
//! one function. Points a simplified coastline leaves just outside every area (a harbour, a
//! dyke) go to the nearest area within [`SNAP_KM`].

use serde_json::Value;

use super::NormaliseError;

/// How far outside every polygon a point may lie and still belong to the nearest area.
pub const SNAP_KM: f64 = 5.0;

/// A ring of (lon, lat) vertices; the closing vertex may or may not repeat the first.
type Ring = Vec<(f64, f64)>;

/// One polygon: an outer ring and its holes.
#[derive(Debug, Clone)]
struct Polygon {
    outer: Ring,
    holes: Vec<Ring>,
}

/// A named area: the GeoJSON feature's `statnaam` with its (multi)polygon.
#[derive(Debug, Clone)]
pub struct Area {
    pub name: String,
    polygons: Vec<Polygon>,
    /// min lon, min lat, max lon, max lat.
    bbox: (f64, f64, f64, f64),
}

impl Area {
    /// Every ring of the outline, outer rings and holes alike, as (lon, lat) vertices: drawn
    /// with the even-odd rule, the holes stay open.
    pub fn rings(&self) -> impl Iterator<Item = &[(f64, f64)]> {
        self.polygons.iter().flat_map(|polygon| {
            std::iter::once(polygon.outer.as_slice()).chain(polygon.holes.iter().map(Vec::as_slice))
        })
    }

    /// min lon, min lat, max lon, max lat.
    pub fn bbox(&self) -> (f64, f64, f64, f64) {
        self.bbox
    }

    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let (min_lon, min_lat, max_lon, max_lat) = self.bbox;
        if lon < min_lon || lon > max_lon || lat < min_lat || lat > max_lat {
            return false;
        }
        self.polygons.iter().any(|polygon| {
            ring_contains(&polygon.outer, lon, lat)
                && !polygon
                    .holes
                    .iter()
                    .any(|hole| ring_contains(hole, lon, lat))
        })
    }

    /// Distance in km from the point to the area's boundary (approximate: a local flat
    /// projection, good to a few metres at these distances).
    fn distance_km(&self, lon: f64, lat: f64) -> f64 {
        let scale_lon = 111.32 * lat.to_radians().cos();
        let scale_lat = 110.57;
        let mut best = f64::INFINITY;
        for polygon in &self.polygons {
            for ring in std::iter::once(&polygon.outer).chain(&polygon.holes) {
                for (a, b) in edges(ring) {
                    let ax = (a.0 - lon) * scale_lon;
                    let ay = (a.1 - lat) * scale_lat;
                    let bx = (b.0 - lon) * scale_lon;
                    let by = (b.1 - lat) * scale_lat;
                    best = best.min(segment_distance(ax, ay, bx, by));
                }
            }
        }
        best
    }
}

/// The edges of a ring, closing it when its last vertex does not repeat the first.
fn edges(ring: &Ring) -> impl Iterator<Item = ((f64, f64), (f64, f64))> + '_ {
    let n = ring.len();
    (0..n).map(move |i| (ring[i], ring[(i + 1) % n]))
}

/// Even-odd ray casting towards +lon.
fn ring_contains(ring: &Ring, lon: f64, lat: f64) -> bool {
    let mut inside = false;
    for ((x1, y1), (x2, y2)) in edges(ring) {
        if (y1 > lat) != (y2 > lat) {
            let x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1);
            if lon < x_cross {
                inside = !inside;
            }
        }
    }
    inside
}

/// Distance from the origin to the segment (ax, ay)-(bx, by).
fn segment_distance(ax: f64, ay: f64, bx: f64, by: f64) -> f64 {
    let (dx, dy) = (bx - ax, by - ay);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (-(ax * dx + ay * dy) / length2).clamp(0.0, 1.0)
    };
    let (px, py) = (ax + t * dx, ay + t * dy);
    (px * px + py * py).sqrt()
}

/// A set of areas that tile a country (the provinces, or the labour-market regions).
#[derive(Debug, Clone)]
pub struct AreaSet {
    areas: Vec<Area>,
}

impl AreaSet {
    /// Reads a GeoJSON FeatureCollection whose features carry `statnaam`.
    /// `file` names the data in errors.
    pub fn from_geojson(file: &'static str, text: &str) -> Result<AreaSet, NormaliseError> {
        let bad = |problem: String| NormaliseError::Data { file, problem };
        let root: Value =
            serde_json::from_str(text).map_err(|error| bad(format!("invalid json: {error}")))?;
        let features = root
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("no features array".to_owned()))?;
        let mut areas = Vec::with_capacity(features.len());
        for (index, feature) in features.iter().enumerate() {
            let property = |key: &str| {
                feature
                    .pointer(&format!("/properties/{key}"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| bad(format!("feature {index}: no properties.{key}")))
            };
            let name = property("statnaam")?;
            let geometry = feature
                .get("geometry")
                .ok_or_else(|| bad(format!("feature {index} ({name}): no geometry")))?;
            let polygons = read_geometry(geometry)
                .map_err(|problem| bad(format!("feature {index} ({name}): {problem}")))?;
            let bbox = bounding_box(&polygons);
            areas.push(Area {
                name,
                polygons,
                bbox,
            });
        }
        if areas.is_empty() {
            return Err(bad("no features".to_owned()));
        }
        Ok(AreaSet { areas })
    }

    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// The area holding the point, else the nearest within [`SNAP_KM`]; `None` outside.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<&Area> {
        if !lon.is_finite() || !lat.is_finite() {
            return None;
        }
        if let Some(area) = self.areas.iter().find(|area| area.contains(lon, lat)) {
            return Some(area);
        }
        self.areas
            .iter()
            .map(|area| (area.distance_km(lon, lat), area))
            .filter(|(distance, _)| *distance <= SNAP_KM)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, area)| area)
    }
}

fn read_geometry(geometry: &Value) -> Result<Vec<Polygon>, String> {
    let coordinates = geometry.get("coordinates").ok_or("no coordinates")?;
    match geometry.get("type").and_then(Value::as_str) {
        Some("Polygon") => Ok(vec![read_polygon(coordinates)?]),
        Some("MultiPolygon") => coordinates
            .as_array()
            .ok_or("coordinates are not an array")?
            .iter()
            .map(read_polygon)
            .collect(),
        other => Err(format!("unsupported geometry type {other:?}")),
    }
}

fn read_polygon(value: &Value) -> Result<Polygon, String> {
    let rings = value.as_array().ok_or("polygon is not an array of rings")?;
    let mut rings = rings.iter().map(read_ring);
    let outer = rings.next().ok_or("polygon without rings")??;
    let holes = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon { outer, holes })
}

fn read_ring(value: &Value) -> Result<Ring, String> {
    let points = value.as_array().ok_or("ring is not an array")?;
    let mut ring = Vec::with_capacity(points.len());
    for point in points {
        let lon = point.get(0).and_then(Value::as_f64);
        let lat = point.get(1).and_then(Value::as_f64);
        match (lon, lat) {
            (Some(lon), Some(lat)) if lon.is_finite() && lat.is_finite() => ring.push((lon, lat)),
            _ => return Err(format!("bad position {point}")),
        }
    }
    if ring.len() < 3 {
        return Err(format!("ring of {} positions", ring.len()));
    }
    Ok(ring)
}

fn bounding_box(polygons: &[Polygon]) -> (f64, f64, f64, f64) {
    let mut bbox = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for &(lon, lat) in polygons.iter().flat_map(|polygon| polygon.outer.iter()) {
        bbox = (
            bbox.0.min(lon),
            bbox.1.min(lat),
            bbox.2.max(lon),
            bbox.3.max(lat),
        );
    }
    bbox
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE_WITH_HOLE: &str = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"statnaam":"Ring"},
         "geometry":{"type":"Polygon","coordinates":[
            [[0,0],[10,0],[10,10],[0,10],[0,0]],
            [[4,4],[6,4],[6,6],[4,6],[4,4]]]}},
        {"type":"Feature","properties":{"statnaam":"Islands"},
         "geometry":{"type":"MultiPolygon","coordinates":[
            [[[20,0],[21,0],[21,1],[20,0]]],
            [[[30,0],[31,0],[31,1],[30,1]]]]}}]}"#;

    #[test]
    fn points_fall_in_polygons_but_not_in_their_holes() {
        let set = AreaSet::from_geojson("test", SQUARE_WITH_HOLE).expect("valid geojson");
        let name = |lon: f64, lat: f64| set.locate(lon, lat).map(|area| area.name.as_str());
        assert_eq!(name(1.0, 1.0), Some("Ring"));
        assert_eq!(name(5.0, 5.0), None, "inside the hole, far from any edge");
        assert_eq!(name(9.9, 5.0), Some("Ring"));
        assert_eq!(name(20.9, 0.5), Some("Islands"));
        assert_eq!(
            name(30.5, 0.5),
            Some("Islands"),
            "an unclosed ring is closed"
        );
        assert_eq!(name(50.0, 50.0), None);
        assert_eq!(name(f64::NAN, 1.0), None);
    }

    #[test]
    fn a_point_just_outside_snaps_to_the_nearest_area() {
        let set = AreaSet::from_geojson("test", SQUARE_WITH_HOLE).expect("valid geojson");
        // 0.01 degree of latitude is about 1.1 km.
        assert_eq!(
            set.locate(5.0, 10.01).map(|area| area.name.as_str()),
            Some("Ring")
        );
        assert_eq!(set.locate(5.0, 10.2).map(|area| area.name.as_str()), None);
    }

    #[test]
    fn bad_geojson_names_its_file_and_feature() {
        let error = AreaSet::from_geojson("areas.geojson", r#"{"features":[{"properties":{}}]}"#)
            .expect_err("no statnaam");
        assert_eq!(
            error.to_string(),
            "data file areas.geojson: feature 0: no properties.statnaam"
        );
        assert!(AreaSet::from_geojson("x", "not json").is_err());
        let bad_ring = r#"{"features":[{"properties":{"statnaam":"A"},
            "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}}]}"#;
        assert!(AreaSet::from_geojson("x", bad_ring).is_err());
    }
}
