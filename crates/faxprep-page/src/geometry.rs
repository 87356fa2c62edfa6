//! Fax resolutions and paper sizes.

/// The width of a fax page in pixels: 215 mm at 204 dpi (T.4 §2.2).
pub const FAX_WIDTH: u32 = 1728;

/// A fax resolution. Horizontal resolution is always 204 dpi (8 pels/mm);
/// the vertical one is 3.85, 7.7 or 15.4 lines/mm, written as the nominal
/// 98, 196 and 391 dpi that TIFF Class F and fax software use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Resolution {
    /// 204 x 98 dpi, "normal" fax.
    Standard,
    /// 204 x 196 dpi, "fine" fax: the default.
    #[default]
    Fine,
    /// 204 x 391 dpi, "superfine".
    Superfine,
}

impl Resolution {
    /// All resolutions, coarsest first.
    pub const ALL: [Resolution; 3] = [
        Resolution::Standard,
        Resolution::Fine,
        Resolution::Superfine,
    ];

    /// Horizontal dots per inch (always 204).
    pub const fn x_dpi(self) -> u32 {
        204
    }

    /// Vertical lines per inch (98, 196 or 391).
    pub const fn y_dpi(self) -> u32 {
        match self {
            Resolution::Standard => 98,
            Resolution::Fine => 196,
            Resolution::Superfine => 391,
        }
    }

    /// The T.4 2-D coding parameter K: at most K - 1 rows are 2-D coded after
    /// each 1-D row (T.4 §4.2.1: 2 at standard, 4 at fine; superfine uses 8).
    pub const fn k_factor(self) -> u32 {
        match self {
            Resolution::Standard => 2,
            Resolution::Fine => 4,
            Resolution::Superfine => 8,
        }
    }

    /// The resolution whose vertical dpi is closest to `y_dpi` (for reading
    /// TIFFs that state 97.79 or 195.58 lines per inch, or metric units).
    pub fn from_y_dpi(y_dpi: f64) -> Resolution {
        if y_dpi < 147.0 {
            Resolution::Standard
        } else if y_dpi < 293.0 {
            Resolution::Fine
        } else {
            Resolution::Superfine
        }
    }

    /// The name used on the command line and in JSON.
    pub const fn name(self) -> &'static str {
        match self {
            Resolution::Standard => "standard",
            Resolution::Fine => "fine",
            Resolution::Superfine => "superfine",
        }
    }
}

impl std::fmt::Display for Resolution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A paper size the fax is printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Paper {
    /// US Letter, 8.5 x 11 in: the default.
    #[default]
    Letter,
    /// ISO A4, 210 x 297 mm.
    A4,
    /// US Legal, 8.5 x 14 in.
    Legal,
}

impl Paper {
    /// All papers.
    pub const ALL: [Paper; 3] = [Paper::Letter, Paper::A4, Paper::Legal];

    /// Width and height in PDF points (1/72 in), portrait.
    pub const fn size_pt(self) -> (f64, f64) {
        match self {
            Paper::Letter => (612.0, 792.0),
            Paper::A4 => (595.2756, 841.8898),
            Paper::Legal => (612.0, 1008.0),
        }
    }

    /// Length of the paper in inches.
    pub fn length_in(self) -> f64 {
        self.size_pt().1 / 72.0
    }

    /// Rows of a fax page of this paper at `resolution`: the paper length
    /// times the vertical dpi, rounded (Letter 2156, A4 2292, Legal 2744 at
    /// fine).
    pub fn rows(self, resolution: Resolution) -> u32 {
        // Exact in integers: length in points * dpi / 72, rounded.
        let pt_x100 = match self {
            Paper::Letter => 79_200u64,
            Paper::A4 => 84_189,
            Paper::Legal => 100_800,
        };
        let rows = (pt_x100 * u64::from(resolution.y_dpi()) + 3_600) / 7_200;
        rows as u32
    }

    /// The name used on the command line and in JSON.
    pub const fn name(self) -> &'static str {
        match self {
            Paper::Letter => "letter",
            Paper::A4 => "a4",
            Paper::Legal => "legal",
        }
    }
}

impl std::fmt::Display for Paper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_match_the_fax_geometry() {
        assert_eq!(Paper::Letter.rows(Resolution::Fine), 2156);
        assert_eq!(Paper::A4.rows(Resolution::Fine), 2292);
        assert_eq!(Paper::Legal.rows(Resolution::Fine), 2744);
        assert_eq!(Paper::Letter.rows(Resolution::Standard), 1078);
        assert_eq!(Paper::A4.rows(Resolution::Standard), 1146);
        assert_eq!(Paper::Letter.rows(Resolution::Superfine), 4301);
    }

    #[test]
    fn k_factor_follows_t4() {
        assert_eq!(Resolution::Standard.k_factor(), 2);
        assert_eq!(Resolution::Fine.k_factor(), 4);
        assert_eq!(Resolution::Superfine.k_factor(), 8);
    }

    #[test]
    fn nearest_resolution() {
        assert_eq!(Resolution::from_y_dpi(97.79), Resolution::Standard);
        assert_eq!(Resolution::from_y_dpi(195.58), Resolution::Fine);
        assert_eq!(Resolution::from_y_dpi(391.0), Resolution::Superfine);
    }
}
