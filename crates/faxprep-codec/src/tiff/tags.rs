//! TIFF tag numbers and field types used by TIFF Class F (TIFF 6.0 §8,
//! RFC 2306 §3).

/// NewSubfileType: bit 1 set means "one page of a multi-page document".
pub const NEW_SUBFILE_TYPE: u16 = 254;
/// ImageWidth, pixels per row.
pub const IMAGE_WIDTH: u16 = 256;
/// ImageLength, rows.
pub const IMAGE_LENGTH: u16 = 257;
/// BitsPerSample (1 for fax).
pub const BITS_PER_SAMPLE: u16 = 258;
/// Compression: 1 none, 2 MH RLE, 3 T.4, 4 T.6.
pub const COMPRESSION: u16 = 259;
/// PhotometricInterpretation: 0 WhiteIsZero, 1 BlackIsZero.
pub const PHOTOMETRIC: u16 = 262;
/// FillOrder: 1 most significant bit first, 2 least significant first.
pub const FILL_ORDER: u16 = 266;
/// StripOffsets.
pub const STRIP_OFFSETS: u16 = 273;
/// Orientation (1 = row 0 top, column 0 left).
pub const ORIENTATION: u16 = 274;
/// SamplesPerPixel (1 for fax).
pub const SAMPLES_PER_PIXEL: u16 = 277;
/// RowsPerStrip.
pub const ROWS_PER_STRIP: u16 = 278;
/// StripByteCounts.
pub const STRIP_BYTE_COUNTS: u16 = 279;
/// XResolution (RATIONAL).
pub const X_RESOLUTION: u16 = 282;
/// YResolution (RATIONAL).
pub const Y_RESOLUTION: u16 = 283;
/// PlanarConfiguration.
pub const PLANAR_CONFIGURATION: u16 = 284;
/// T4Options (TIFF 6.0 §11): bit 0 2-D, bit 1 uncompressed mode, bit 2 fill bits.
pub const T4_OPTIONS: u16 = 292;
/// T6Options: bit 1 uncompressed mode.
pub const T6_OPTIONS: u16 = 293;
/// ResolutionUnit: 1 none, 2 inch, 3 centimetre.
pub const RESOLUTION_UNIT: u16 = 296;
/// PageNumber: (index, total) as two SHORTs.
pub const PAGE_NUMBER: u16 = 297;
/// Software (ASCII).
pub const SOFTWARE: u16 = 305;
/// DateTime (ASCII, "YYYY:MM:DD HH:MM:SS").
pub const DATE_TIME: u16 = 306;
/// TileWidth: present only in tiled images, which fax files never are.
pub const TILE_WIDTH: u16 = 322;
/// BadFaxLines (RFC 2306 §3).
pub const BAD_FAX_LINES: u16 = 326;
/// CleanFaxData: 0 clean, 1 regenerated, 2 unclean.
pub const CLEAN_FAX_DATA: u16 = 327;

/// T4Options bit 0: rows are coded with T.4 2-D (Modified READ).
pub const T4_2D: u32 = 1;
/// T4Options bit 1: uncompressed mode codes may appear (not supported).
pub const T4_UNCOMPRESSED: u32 = 2;
/// T4Options bit 2: fill bits before each EOL so it ends on a byte boundary.
pub const T4_FILL_BITS: u32 = 4;
/// T6Options bit 1: uncompressed mode codes may appear (not supported).
pub const T6_UNCOMPRESSED: u32 = 2;

/// Field type BYTE.
pub const TYPE_BYTE: u16 = 1;
/// Field type ASCII.
pub const TYPE_ASCII: u16 = 2;
/// Field type SHORT.
pub const TYPE_SHORT: u16 = 3;
/// Field type LONG.
pub const TYPE_LONG: u16 = 4;
/// Field type RATIONAL (two LONGs).
pub const TYPE_RATIONAL: u16 = 5;

/// Bytes one value of a field type takes, or `None` for types unknown to
/// TIFF 6.0 (which readers must skip, TIFF 6.0 §2 "Types").
pub const fn type_size(field_type: u16) -> Option<u64> {
    match field_type {
        1 | 2 | 6 | 7 => Some(1),
        3 | 8 => Some(2),
        4 | 9 | 11 | 13 => Some(4),
        5 | 10 | 12 => Some(8),
        _ => None,
    }
}

/// A readable name for the tags faxprep knows, for messages and `inspect`.
pub const fn tag_name(tag: u16) -> &'static str {
    match tag {
        NEW_SUBFILE_TYPE => "NewSubfileType",
        IMAGE_WIDTH => "ImageWidth",
        IMAGE_LENGTH => "ImageLength",
        BITS_PER_SAMPLE => "BitsPerSample",
        COMPRESSION => "Compression",
        PHOTOMETRIC => "PhotometricInterpretation",
        FILL_ORDER => "FillOrder",
        STRIP_OFFSETS => "StripOffsets",
        ORIENTATION => "Orientation",
        SAMPLES_PER_PIXEL => "SamplesPerPixel",
        ROWS_PER_STRIP => "RowsPerStrip",
        STRIP_BYTE_COUNTS => "StripByteCounts",
        X_RESOLUTION => "XResolution",
        Y_RESOLUTION => "YResolution",
        PLANAR_CONFIGURATION => "PlanarConfiguration",
        T4_OPTIONS => "T4Options",
        T6_OPTIONS => "T6Options",
        RESOLUTION_UNIT => "ResolutionUnit",
        PAGE_NUMBER => "PageNumber",
        SOFTWARE => "Software",
        DATE_TIME => "DateTime",
        TILE_WIDTH => "TileWidth",
        BAD_FAX_LINES => "BadFaxLines",
        CLEAN_FAX_DATA => "CleanFaxData",
        _ => "unknown tag",
    }
}
