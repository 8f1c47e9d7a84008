//! A grid of geographic cells at several sizes, for "within N km of a place".
//!
//! tantivy has no geo type. Every vacancy with coordinates is indexed with one `geo_cell` term
//! per level of the grid; a distance search looks up the cells that cover the circle's
//! bounding box at the finest level that needs at most [`MAX_CELLS`] of them, and then keeps
//! the hits whose exact distance is within the radius. Posting lists of a few cells are far
//! cheaper to intersect with than a range over the coordinates of every document.

/// Cell sizes in degrees (latitude, longitude), finest first: each level doubles the one
/// before. At 52° north the finest is about 5 by 5 km, the coarsest about 160 by 150 km.
pub const LEVELS: [(f64, f64); 6] = [
    (0.045, 0.07),
    (0.09, 0.14),
    (0.18, 0.28),
    (0.36, 0.56),
    (0.72, 1.12),
    (1.44, 2.24),
];

/// Most cells a cover uses at a level finer than the coarsest.
pub const MAX_CELLS: usize = 40;

/// The cell terms of a point: one per level.
pub fn cell_terms(lat: f64, lon: f64) -> Vec<String> {
    if !valid(lat, lon) {
        return Vec::new();
    }
    LEVELS
        .iter()
        .enumerate()
        .map(|(level, (height, width))| term(level, row(lat, *height), column(lon, *width)))
        .collect()
}

/// The cell terms that together cover the box from (`min_lat`, `min_lon`) to (`max_lat`,
/// `max_lon`): every cell of the chosen level that the box touches. Empty for a box outside
/// the world's coordinates.
pub fn cover(min_lat: f64, max_lat: f64, min_lon: f64, max_lon: f64) -> Vec<String> {
    let (min_lat, max_lat) = (min_lat.max(-90.0), max_lat.min(90.0));
    let (min_lon, max_lon) = (min_lon.max(-180.0), max_lon.min(180.0));
    if !(min_lat <= max_lat && min_lon <= max_lon) {
        return Vec::new();
    }
    let last = LEVELS.len() - 1;
    for (level, (height, width)) in LEVELS.iter().enumerate() {
        let rows = row(min_lat, *height)..=row(max_lat, *height);
        let columns = column(min_lon, *width)..=column(max_lon, *width);
        let cells = (rows.end() - rows.start() + 1) * (columns.end() - columns.start() + 1);
        if cells as usize <= MAX_CELLS || level == last {
            let mut terms = Vec::with_capacity(cells as usize);
            for r in rows {
                for c in columns.clone() {
                    terms.push(term(level, r, c));
                }
            }
            return terms;
        }
    }
    Vec::new()
}

fn valid(lat: f64, lon: f64) -> bool {
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)
}

fn row(lat: f64, height: f64) -> i64 {
    ((lat + 90.0) / height).floor() as i64
}

fn column(lon: f64, width: f64) -> i64 {
    ((lon + 180.0) / width).floor() as i64
}

fn term(level: usize, row: i64, column: i64) -> String {
    format!("{level}:{row}:{column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_has_one_cell_per_level() {
        let terms = cell_terms(52.0907, 5.1214);
        assert_eq!(terms.len(), LEVELS.len());
        assert!(terms[0].starts_with("0:"));
        assert!(cell_terms(f64::NAN, 5.0).is_empty());
        assert!(cell_terms(95.0, 5.0).is_empty());
    }

    #[test]
    fn a_cover_holds_the_cell_of_every_point_in_the_box() {
        let (min_lat, max_lat, min_lon, max_lon) = (51.8, 52.3, 4.7, 5.5);
        let cover = cover(min_lat, max_lat, min_lon, max_lon);
        assert!(
            !cover.is_empty() && cover.len() <= MAX_CELLS,
            "{}",
            cover.len()
        );
        for i in 0..=20 {
            for j in 0..=20 {
                let lat = min_lat + (max_lat - min_lat) * f64::from(i) / 20.0;
                let lon = min_lon + (max_lon - min_lon) * f64::from(j) / 20.0;
                let cells = cell_terms(lat, lon);
                assert!(
                    cells.iter().any(|cell| cover.contains(cell)),
                    "({lat}, {lon}) outside the cover"
                );
            }
        }
    }

    #[test]
    fn small_boxes_take_fine_cells_and_huge_ones_the_coarsest() {
        assert!(cover(52.0, 52.05, 5.0, 5.05)[0].starts_with("0:"));
        let whole = cover(45.0, 60.0, 0.0, 15.0);
        assert!(whole.iter().all(|cell| cell.starts_with("5:")));
        assert!(cover(10.0, 9.0, 5.0, 6.0).is_empty());
    }
}
