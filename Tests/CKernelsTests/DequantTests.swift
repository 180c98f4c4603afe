import CKernels
import XCTest

// Every block below is written byte by byte; every expected float is worked out
// by hand from the format definition (kern_quant.h / ggml's dequantize_row_*),
// with the arithmetic in the comment next to it. f16 constants used throughout:
//   0x3C00 = 1     0x3800 = 0.5    0x3400 = 0.25   0x3000 = 0.125
//   0x4000 = 2     0xBC00 = -1     0xB400 = -0.25  0xC000 = -2

// MARK: - helpers

private func typeID(_ t: kern_dtype) -> Int32 { Int32(t.rawValue) }

/// Little-endian bytes of a 16-bit field (an f16 bit pattern).
private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }

/// Decodes `n` elements; fails the test on a non-zero return or a byte count that
/// does not match the type's block layout. The output starts as NaN so an element
/// the kernel forgets to write cannot pass.
private func dequant(_ type: kern_dtype, _ bytes: [UInt8], count n: Int,
                     file: StaticString = #filePath, line: UInt = #line) -> [Float] {
    let t = typeID(type)
    let elems = Int(kern_dtype_block_elems(t)), size = Int(kern_dtype_block_bytes(t))
    XCTAssertEqual(bytes.count, n / elems * size, "test block has the wrong byte count", file: file, line: line)
    var out = [Float](repeating: .nan, count: n)
    let rc = bytes.withUnsafeBytes { src in
        out.withUnsafeMutableBufferPointer { kern_row_dequant(t, src.baseAddress, $0.baseAddress, Int64(n)) }
    }
    XCTAssertEqual(rc, 0, file: file, line: line)
    return out
}

/// Checks listed (index, value) pairs exactly.
private func assertElements(_ out: [Float], _ expected: [(Int, Float)], _ what: String,
                            file: StaticString = #filePath, line: UInt = #line) {
    for (i, v) in expected {
        XCTAssertEqual(out[i], v, "\(what): element \(i)", file: file, line: line)
    }
}

/// Checks that element `index` is `value` and every other element is `base`.
private func assertOnly(_ out: [Float], _ index: Int, is value: Float, othersAre base: Float, _ what: String,
                        file: StaticString = #filePath, line: UInt = #line) {
    for (i, v) in out.enumerated() {
        let want = i == index ? value : base
        if v != want {
            XCTFail("\(what): element \(i) is \(v), expected \(want)", file: file, line: line)
            return
        }
    }
}

// MARK: - hand-built blocks (shared by the per-type tests and the row-stride test)

/// Q4_0, d = 0.5, qs[j] = j | (15 - j) << 4.
private func q4_0Block() -> [UInt8] {
    le16(0x3800) + [0xF0, 0xE1, 0xD2, 0xC3, 0xB4, 0xA5, 0x96, 0x87,
                    0x78, 0x69, 0x5A, 0x4B, 0x3C, 0x2D, 0x1E, 0x0F]
}

/// Q4_1, d = 0.25, m = -1, same nibbles as q4_0Block.
private func q4_1Block() -> [UInt8] {
    le16(0x3400) + le16(0xBC00) + [0xF0, 0xE1, 0xD2, 0xC3, 0xB4, 0xA5, 0x96, 0x87,
                                   0x78, 0x69, 0x5A, 0x4B, 0x3C, 0x2D, 0x1E, 0x0F]
}

/// Q5_0, d = 1, qh bytes 01 80 02 80 = LE u32 0x80028001 (bits 0, 15, 17, 31), qs[j] = j | j << 4.
private func q5_0Block() -> [UInt8] {
    le16(0x3C00) + [0x01, 0x80, 0x02, 0x80]
        + [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]
}

/// Q5_1, d = 0.5, m = 2, qh bytes 07 00 00 F0 (bits 0..2 and 28..31; not mirror-symmetric), qs[j] = (15 - j) | j << 4.
private func q5_1Block() -> [UInt8] {
    le16(0x3800) + le16(0x4000) + [0x07, 0x00, 0x00, 0xF0]
        + [0x0F, 0x1E, 0x2D, 0x3C, 0x4B, 0x5A, 0x69, 0x78, 0x87, 0x96, 0xA5, 0xB4, 0xC3, 0xD2, 0xE1, 0xF0]
}

/// Q8_0, d = 0.125, qs[j] = int8(8j - 128).
private func q8_0Block() -> [UInt8] {
    le16(0x3000) + [0x80, 0x88, 0x90, 0x98, 0xA0, 0xA8, 0xB0, 0xB8, 0xC0, 0xC8, 0xD0, 0xD8, 0xE0, 0xE8, 0xF0, 0xF8,
                    0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x40, 0x48, 0x50, 0x58, 0x60, 0x68, 0x70, 0x78]
}

/// Q2_K: scales[16] @0 | qs[64] @16 | d @80 | dmin @82. d = 0.5, dmin = 0.25.
/// scales (low nibble sc, high nibble m): [0]=0x12 (sc 2, m 1), [1]=0x3F (15, 3), [2]=0x43 (3, 4),
/// [6]=0x25 (5, 2), [8]=0x07 (7, 0), [15]=0xF1 (1, 15), others 0.
/// qs[0..31] = 0xE4 = 0b11_10_01_00 (plane k holds q = k), qs[32..63] = 0x1B = 0b00_01_10_11 (plane k holds 3 - k).
private func q2_KBlock() -> [UInt8] {
    var scales = [UInt8](repeating: 0, count: 16)
    scales[0] = 0x12; scales[1] = 0x3F; scales[2] = 0x43; scales[6] = 0x25; scales[8] = 0x07; scales[15] = 0xF1
    let qs = [UInt8](repeating: 0xE4, count: 32) + [UInt8](repeating: 0x1B, count: 32)
    return scales + qs + le16(0x3800) + le16(0x3400)
}

/// Q3_K: hmask[32] @0 | qs[64] @32 | scales[12] @96 | d @108. d = 0.5.
/// Raw 6-bit scales r (sc = r - 32): r0 = 33 (low4 1, high2 2) -> 1, r1 = 0 -> -32, r5 = 63 (15, 3) -> 31,
/// r8 = 34 (2, 2) -> 2, r13 = 20 (4, 1) -> -12, all others 32 (0, 2) -> 0.
/// Packing: byte j (0..7) = low4(r_j) | low4(r_{j+8}) << 4;
///          byte 8+i = high2(r_i) | high2(r_{i+4}) << 2 | high2(r_{i+8}) << 4 | high2(r_{i+12}) << 6.
///   byte0 = 1 | 2<<4 = 0x21, byte5 = 15 | 4<<4 = 0x4F, other low bytes 0;
///   byte8 = 2|2<<2|2<<4|2<<6 = 0xAA, byte9 = 0|3<<2|2<<4|1<<6 = 0x6C, byte10 = byte11 = 0xAA.
/// hmask[l] = 0xFF for even l (high bit set: q = low), 0x00 for odd l (q = low - 4).
/// qs all 0xE4: plane k has low = k.
private func q3_KBlock() -> [UInt8] {
    let hmask = (0..<32).map { $0 % 2 == 0 ? UInt8(0xFF) : 0x00 }
    let qs = [UInt8](repeating: 0xE4, count: 64)
    let scales: [UInt8] = [0x21, 0x00, 0x00, 0x00, 0x00, 0x4F, 0x00, 0x00, 0xAA, 0x6C, 0xAA, 0xAA]
    return hmask + qs + scales + le16(0x3800)
}

/// The 12 scale bytes shared by the Q4_K and Q5_K hand blocks. Chosen 6-bit (sc, m) per sub-block:
/// j0 (1, 2), j1 (63, 0), j2 (0, 0), j3 (0, 0), j4 (17, 33), j5 (0, 0), j6 (0, 0), j7 (48, 5).
///   s[0] = sc0 | (sc4>>4)<<6 = 1 | 1<<6 = 0x41     s[4] = m0 | (m4>>4)<<6 = 2 | 2<<6 = 0x82
///   s[1] = sc1 = 63 = 0x3F                         s[5] = s[6] = s[7] = 0
///   s[2] = 0, s[3] = (sc7>>4)<<6 = 3<<6 = 0xC0
///   s[8] = (sc4&15) | (m4&15)<<4 = 1 | 1<<4 = 0x11  s[9] = s[10] = 0
///   s[11] = (sc7&15) | (m7&15)<<4 = 0 | 5<<4 = 0x50
private let k4Scales: [UInt8] = [0x41, 0x3F, 0x00, 0xC0, 0x82, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x50]

/// Q4_K: d @0 | dmin @2 | scales[12] @4 | qs[128] @16. d = 0.5, dmin = 0.25, scales k4Scales.
/// qs[l] (l < 32) = (l % 16) | 3 << 4; qs[32..63] = 0xFF; qs[64..95] = 0xF2; qs[96..127] = 0x1F.
private func q4_KBlock() -> [UInt8] {
    let qs = (0..<32).map { UInt8($0 % 16) | 0x30 } + [UInt8](repeating: 0xFF, count: 32)
        + [UInt8](repeating: 0xF2, count: 32) + [UInt8](repeating: 0x1F, count: 32)
    return le16(0x3800) + le16(0x3400) + k4Scales + qs
}

/// Q5_K: d @0 | dmin @2 | scales[12] @4 | qh[32] @16 | qs[128] @48. d = 0.5, dmin = 0.25, scales k4Scales.
/// qh[l] = (even l ? 0x01 : 0x02) | 0x10 | (l == 31 ? 0x80 : 0).
/// qs[0..31] = 0x00; qs[32..63] = 0xFF; qs[64..95] = 0xF2; qs[96..127] = 0x1F.
private func q5_KBlock() -> [UInt8] {
    let qh = (0..<32).map { l in (l % 2 == 0 ? UInt8(0x01) : 0x02) | 0x10 | (l == 31 ? 0x80 : 0) }
    let qs = [UInt8](repeating: 0x00, count: 32) + [UInt8](repeating: 0xFF, count: 32)
        + [UInt8](repeating: 0xF2, count: 32) + [UInt8](repeating: 0x1F, count: 32)
    return le16(0x3800) + le16(0x3400) + k4Scales + qh + qs
}

/// Q6_K: ql[128] @0 | qh[64] @128 | scales[16] int8 @192 | d @208. d = 0.5.
/// scales: [0]=1, [1]=-2 (0xFE), [2]=3, [5]=10, [8]=-128 (0x80), [15]=127, others 0.
/// Element e = 128h + 32k + l: low nibble from ql[64h + 32(k%2) + l] (k < 2: low nibble, else high),
/// high 2 bits from qh[32h + l] bits 2k..2k+1; q = 6-bit value - 32.
///   e0:   ql[0] lo 0,   qh[0] b0-1 0    -> v 0
///   e1:   ql[1] lo 15,  qh[1] b0-1 3    -> v 63
///   e16:  ql[16] lo 1,  qh[16] b0-1 2   -> v 33
///   e17:  ql[17] lo 15, qh[17] b0-1 1   -> v 31
///   e32:  ql[32] lo 4,  qh[0] b2-3 1    -> v 20
///   e80:  ql[16] hi 2,  qh[16] b4-5 3   -> v 50
///   e128: ql[64] lo 7,  qh[32] b0-1 0   -> v 7
///   e255: ql[127] hi 13, qh[63] b6-7 2  -> v 45
/// so ql[0]=0x00 ql[1]=0x0F ql[16]=0x21 ql[17]=0x0F ql[32]=0x04 ql[64]=0x07 ql[127]=0xD0;
///    qh[0]=0x04 qh[1]=0x03 qh[16]=0b00_11_00_10=0x32 qh[17]=0x01 qh[63]=0x80; everything else 0.
private func q6_KBlock() -> [UInt8] {
    var ql = [UInt8](repeating: 0, count: 128)
    ql[1] = 0x0F; ql[16] = 0x21; ql[17] = 0x0F; ql[32] = 0x04; ql[64] = 0x07; ql[127] = 0xD0
    var qh = [UInt8](repeating: 0, count: 64)
    qh[0] = 0x04; qh[1] = 0x03; qh[16] = 0x32; qh[17] = 0x01; qh[63] = 0x80
    var scales = [UInt8](repeating: 0, count: 16)
    scales[0] = 0x01; scales[1] = 0xFE; scales[2] = 0x03; scales[5] = 0x0A; scales[8] = 0x80; scales[15] = 0x7F
    return ql + qh + scales + le16(0x3800)
}

// MARK: - tests

final class DequantTests: XCTestCase {
    // MARK: plain floats

    func testF32() {
        // 1.0 = 0x3F800000, -2.5 = 0xC0200000, 0.15625 = 0x3E200000 (1.25 * 2^-3); little-endian bytes.
        let bytes: [UInt8] = [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0, 0x00, 0x00, 0x20, 0x3E]
        XCTAssertEqual(dequant(KERN_DTYPE_F32, bytes, count: 3), [1.0, -2.5, 0.15625])
    }

    func testF16() {
        // 0x3C00 = 1; 0xC500: sign, exp 17 -> 2^2, mant 0x100 -> 1.25: -5;
        // 0x3555: exp 13 -> 2^-2, mant 341/1024: 1365/4096 = 0.333251953125; 0x0001: subnormal 2^-24.
        let bytes: [UInt8] = [0x00, 0x3C, 0x00, 0xC5, 0x55, 0x35, 0x01, 0x00]
        XCTAssertEqual(dequant(KERN_DTYPE_F16, bytes, count: 4), [1.0, -5.0, 0.333251953125, 0x1p-24])
    }

    func testBF16() {
        // 0x3FC0: exp 127, mant 0x40/128 -> 1.5; 0xC140: sign, exp 130 -> 2^3, 1.5: -12;
        // 0x4049: exp 128 -> 2, mant 73/128: 402/128 = 3.140625.
        let bytes: [UInt8] = [0xC0, 0x3F, 0x40, 0xC1, 0x49, 0x40]
        XCTAssertEqual(dequant(KERN_DTYPE_BF16, bytes, count: 3), [1.5, -12.0, 3.140625])
    }

    // MARK: 32-element blocks

    func testQ4_0OrderAndSign() {
        // Block 1: d = 0.5, qs[j] = j | (15-j) << 4.
        //   elem j    (low nibble j):     (j - 8) * 0.5    -> -4 ... 3.5
        //   elem j+16 (high nibble 15-j): (7 - j) * 0.5    -> 3.5 ... -4
        // Block 2: d = -0.25 (0xB400), qs all 0xF0:
        //   low nibble 0:  (0 - 8) * -0.25 = 2;   high nibble 15: (15 - 8) * -0.25 = -1.75
        let block2 = le16(0xB400) + [UInt8](repeating: 0xF0, count: 16)
        let out = dequant(KERN_DTYPE_Q4_0, q4_0Block() + block2, count: 64)
        let lowHalf: [Float] = [-4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]
        let highHalf: [Float] = [3.5, 3, 2.5, 2, 1.5, 1, 0.5, 0, -0.5, -1, -1.5, -2, -2.5, -3, -3.5, -4]
        XCTAssertEqual(Array(out[0..<32]), lowHalf + highHalf)
        XCTAssertEqual(Array(out[32..<64]), [Float](repeating: 2, count: 16) + [Float](repeating: -1.75, count: 16))
    }

    func testQ4_1() {
        // d = 0.25, m = -1, qs[j] = j | (15-j) << 4.
        //   elem j:    0.25 * j - 1        e.g. j=0: -1, j=4: 0, j=15: 2.75
        //   elem j+16: 0.25 * (15-j) - 1   e.g. j=0: 2.75, j=15: -1
        let out = dequant(KERN_DTYPE_Q4_1, q4_1Block(), count: 32)
        let lowHalf: [Float] = [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75]
        XCTAssertEqual(out, lowHalf + lowHalf.reversed())
    }

    func testQ5_0HighBits() {
        // d = 1, qh = 0x80028001 (bits 0, 15, 17, 31), qs[j] = j | j << 4. x = (q - 16) * 1.
        //   e0:  q = 0 | 16 = 16   -> 0          e1..e14: q = j -> j - 16 = -15 ... -2
        //   e15: q = 15 | 16 = 31  -> 15
        //   e16: q = 0 (bit 16 clear) -> -16     e17: q = 1 | 16 = 17 -> 1
        //   e18..e30: q = e - 16 -> e - 32 = -14 ... -2
        //   e31: q = 15 | 16 = 31  -> 15
        // Block 2: d = -2 (0xC000), qh = 0xFFFFFFFF, qs all 0xF0:
        //   low: q = 0 | 16 = 16 -> 0 * -2 = 0;  high: q = 15 | 16 = 31 -> 15 * -2 = -30
        let block2 = le16(0xC000) + [0xFF, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0xF0, count: 16)
        let out = dequant(KERN_DTYPE_Q5_0, q5_0Block() + block2, count: 64)
        let expected: [Float] = [0, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, 15,
                                 -16, 1, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, 15]
        XCTAssertEqual(Array(out[0..<32]), expected)
        XCTAssertEqual(Array(out[32..<64]), [Float](repeating: 0, count: 16) + [Float](repeating: -30, count: 16))
    }

    func testQ5_1HighBits() {
        // d = 0.5, m = 2, qh bits 0..2 and 28..31, qs[j] = (15-j) | j << 4. x = 0.5 q + 2.
        //   e0..e2:  q = (15-j) + 16 = 31, 30, 29       -> 17.5, 17, 16.5
        //   e3..e15: q = 15-j = 12 ... 0                -> 8 ... 2
        //   e16..e27: q = j = 0 ... 11                  -> 2 ... 7.5
        //   e28..e31: q = j + 16 = 28 ... 31            -> 16 ... 17.5
        let out = dequant(KERN_DTYPE_Q5_1, q5_1Block(), count: 32)
        let expected: [Float] = [17.5, 17, 16.5, 8, 7.5, 7, 6.5, 6, 5.5, 5, 4.5, 4, 3.5, 3, 2.5, 2,
                                 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 16, 16.5, 17, 17.5]
        XCTAssertEqual(out, expected)
    }

    func testQ8_0SignedQuants() {
        // Block 1: d = 0.125, qs[j] = int8(8j - 128): x = (8j - 128) / 8 = j - 16 -> -16 ... 15.
        //   (0x80 must read as -128 -> -16; as unsigned 128 it would give 16.)
        // Block 2: d = -2, qs = 127, -1, 0, 1, -128, then 0:
        //   127 * -2 = -254; -1 * -2 = 2; 0; 1 * -2 = -2; -128 * -2 = 256; 0 ...
        let block2 = le16(0xC000) + [0x7F, 0xFF, 0x00, 0x01, 0x80] + [UInt8](repeating: 0, count: 27)
        let out = dequant(KERN_DTYPE_Q8_0, q8_0Block() + block2, count: 64)
        XCTAssertEqual(Array(out[0..<32]), (-16...15).map(Float.init))
        XCTAssertEqual(Array(out[32..<64]), [-254, 2, 0, -2, 256] + [Float](repeating: 0, count: 27))
    }

    // MARK: K-quants

    func testQ2_KSubBlockScalesAndMins() {
        // x = (d * sc) * q - dmin * m, d = 0.5, dmin = 0.25; sub-block s = e / 16;
        // e in 0..127 reads qs[0..31] (0xE4: q = k for plane k = (e % 128) / 32),
        // e in 128..255 reads qs[32..63] (0x1B: q = 3 - k).
        let out = dequant(KERN_DTYPE_Q2_K, q2_KBlock(), count: 256)
        assertElements(out, [
            (0, -0.25), (15, -0.25),    // s0 (sc 2, m 1), k0 q 0:  0.5*2*0 - 0.25*1 = -0.25
            (16, -0.75), (31, -0.75),   // s1 (sc 15, m 3), k0 q 0: 0 - 0.25*3 = -0.75
            (32, 0.5), (47, 0.5),       // s2 (sc 3, m 4), k1 q 1:  0.5*3*1 - 0.25*4 = 0.5
            (48, 0), (63, 0),           // s3 (0, 0): 0
            (64, 0),                    // s4 (0, 0), k2 q 2: 0
            (96, 7), (111, 7),          // s6 (sc 5, m 2), k3 q 3:  0.5*5*3 - 0.25*2 = 7
            (128, 10.5), (143, 10.5),   // s8 (sc 7, m 0), h1 k0 q 3: 0.5*7*3 - 0 = 10.5
            (144, 0), (200, 0),         // s9, s12 (0, 0): 0
            (240, -3.75), (255, -3.75), // s15 (sc 1, m 15), h1 k3 q 0: 0 - 0.25*15 = -3.75
        ], "q2_K")
    }

    func testQ2_KElementOrder() {
        // scales all 0x01 (sc 1, m 0), d = 1, dmin = 0, qs all 0: every element is 0.
        // Setting q = 1 in qs[b] at bit 2k makes exactly element 128*(b/32) + 32k + b%32 equal 1.
        let cases: [(byte: Int, shift: Int, elem: Int)] = [
            (0, 0, 0), (1, 0, 1), (0, 2, 32), (17, 2, 49), (31, 4, 95), (0, 6, 96),
            (32, 0, 128), (40, 4, 200), (63, 6, 255),
        ]
        for c in cases {
            var qs = [UInt8](repeating: 0, count: 64)
            qs[c.byte] = 1 << c.shift
            let block = [UInt8](repeating: 0x01, count: 16) + qs + le16(0x3C00) + le16(0x0000)
            assertOnly(dequant(KERN_DTYPE_Q2_K, block, count: 256), c.elem, is: 1, othersAre: 0,
                       "q2_K qs[\(c.byte)] bit \(c.shift)")
        }
    }

    func testQ3_KScalesAndHighBitMask() {
        // x = (d * sc) * q, d = 0.5, q = low - (hmask bit set ? 0 : 4); sub-block s = e / 16.
        // Even l: hmask 0xFF (q = low); odd l: hmask 0 (q = low - 4). Plane k has low = k.
        let out = dequant(KERN_DTYPE_Q3_K, q3_KBlock(), count: 256)
        assertElements(out, [
            (0, 0),          // s0 sc 1, k0 l0 even: q 0 -> 0
            (1, -2),         // s0 sc 1, l1 odd: q = 0 - 4 -> 0.5*1*-4 = -2
            (16, 0),         // s1 sc -32, l16 even: q 0 -> 0
            (17, 64),        // s1 sc -32, odd: q -4 -> 0.5*-32*-4 = 64
            (35, 0), (48, 0),// s2, s3 sc 0
            (80, 31),        // s5 sc 31, k2 l16 even: q 2 -> 0.5*31*2 = 31
            (81, -31),       // s5, odd: q = 2 - 4 = -2 -> -31
            (95, -31),       // s5, l31 odd: -31
            (96, 0), (127, 0), // s6, s7 sc 0
            (128, 0),        // s8 sc 2, h1 k0 l0 even: q 0
            (129, -4),       // s8 sc 2, odd: q -4 -> 0.5*2*-4 = -4
            (208, -12),      // s13 sc -12, h1 k2 l16 even: q 2 -> 0.5*-12*2 = -12
            (209, 12),       // s13, odd: q -2 -> 12
            (224, 0), (255, 0), // s14, s15 sc 0
        ], "q3_K")
    }

    func testQ3_KElementOrder() {
        // All 16 raw scales 33 (sc 1): bytes 0..7 = 1 | 1<<4 = 0x11, bytes 8..11 = 0b10_10_10_10 = 0xAA.
        // d = 1, qs 0, hmask 0: every element is 1 * (0 - 4) = -4.
        let scales = [UInt8](repeating: 0x11, count: 8) + [UInt8](repeating: 0xAA, count: 4)
        // hmask[l] bit (4h + k) belongs to element 128h + 32k + l: setting it gives q = 0.
        let maskCases: [(byte: Int, bit: Int, elem: Int)] = [
            (0, 0, 0), (0, 1, 32), (5, 3, 101), (0, 4, 128), (20, 6, 212), (31, 7, 255),
        ]
        for c in maskCases {
            var hmask = [UInt8](repeating: 0, count: 32)
            hmask[c.byte] = 1 << c.bit
            let block = hmask + [UInt8](repeating: 0, count: 64) + scales + le16(0x3C00)
            assertOnly(dequant(KERN_DTYPE_Q3_K, block, count: 256), c.elem, is: 0, othersAre: -4,
                       "q3_K hmask[\(c.byte)] bit \(c.bit)")
        }
        // qs[b] bits 2k..2k+1 belong to element 128*(b/32) + 32k + b%32: low 1 gives q = 1 - 4 = -3.
        let qsCases: [(byte: Int, shift: Int, elem: Int)] = [(0, 0, 0), (3, 2, 35), (33, 4, 193), (63, 6, 255)]
        for c in qsCases {
            var qs = [UInt8](repeating: 0, count: 64)
            qs[c.byte] = 1 << c.shift
            let block = [UInt8](repeating: 0, count: 32) + qs + scales + le16(0x3C00)
            assertOnly(dequant(KERN_DTYPE_Q3_K, block, count: 256), c.elem, is: -3, othersAre: -4,
                       "q3_K qs[\(c.byte)] shift \(c.shift)")
        }
    }

    func testQ4_KSubBlockScalesAndMins() {
        // x = (d * sc) * q - dmin * m, d = 0.5, dmin = 0.25; sub-block j = e / 32 (scales: see k4Scales).
        let out = dequant(KERN_DTYPE_Q4_K, q4_KBlock(), count: 256)
        assertElements(out, [
            (0, -0.5),    // j0 (sc 1, m 2), q = 0 (qs[0] low):  0.5*1*0 - 0.25*2 = -0.5
            (3, 1),       // j0, q = 3:  1.5 - 0.5 = 1
            (15, 7),      // j0, q = 15: 7.5 - 0.5 = 7
            (16, -0.5),   // j0, q = 0 (qs[16] low)
            (31, 7),      // j0, q = 15
            (32, 94.5), (63, 94.5),   // j1 (sc 63, m 0), q = 3 (high nibbles of qs[0..31]): 0.5*63*3 = 94.5
            (64, 0), (127, 0),        // j2, j3 (0, 0) with q = 15: 0
            (128, 8.75), (159, 8.75), // j4 (sc 17, m 33), q = 2: 0.5*17*2 - 0.25*33 = 17 - 8.25 = 8.75
            (160, 0), (223, 0),       // j5, j6 (0, 0): 0
            (224, 22.75), (255, 22.75), // j7 (sc 48, m 5), q = 1: 0.5*48*1 - 0.25*5 = 24 - 1.25 = 22.75
        ], "q4_K")
    }

    func testQ4_KElementOrder() {
        // All (sc, m) = (1, 0): s[0..3] = 1, s[4..7] = 0, s[8..11] = 1 | 0<<4 = 0x01. d = 1, dmin = 0, qs 0.
        // Nibble u of qs[b] belongs to element 64*(b/32) + 32u + b%32; setting it to 1 gives 1.
        let scales: [UInt8] = [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1]
        let cases: [(byte: Int, high: Bool, elem: Int)] = [
            (0, false, 0), (0, true, 32), (1, true, 33), (32, false, 64), (63, true, 127),
            (100, false, 196), (127, true, 255),
        ]
        for c in cases {
            var qs = [UInt8](repeating: 0, count: 128)
            qs[c.byte] = c.high ? 0x10 : 0x01
            let block = le16(0x3C00) + le16(0) + scales + qs
            assertOnly(dequant(KERN_DTYPE_Q4_K, block, count: 256), c.elem, is: 1, othersAre: 0,
                       "q4_K qs[\(c.byte)] \(c.high ? "high" : "low")")
        }
    }

    func testQ5_KHighBits() {
        // x = (d * sc) * q - dmin * m, d = 0.5, dmin = 0.25, q = nibble + 16 * qh[l] bit (2g + u).
        let out = dequant(KERN_DTYPE_Q5_K, q5_KBlock(), count: 256)
        assertElements(out, [
            (0, 7.5), (2, 7.5),     // j0 (sc 1, m 2), even l: qh bit 0 set, q = 0 + 16: 0.5*16 - 0.5 = 7.5
            (1, -0.5), (31, -0.5),  // j0, odd l: q = 0: -0.5
            (32, 0),                // j1 (sc 63, m 0), even l: qh bit 1 clear, q = 0: 0
            (33, 504),              // j1, odd l: q = 16: 0.5*63*16 = 504
            (64, 0), (127, 0),      // j2, j3 zero scales
            (128, 144.75), (159, 144.75), // j4 (sc 17, m 33), qh bit 4 set, q = 2 + 16 = 18: 153 - 8.25
            (160, 0), (223, 0),     // j5, j6 zero scales
            (224, 22.75),           // j7 (sc 48, m 5), qh[0] bit 7 clear, q = 1: 24 - 1.25 = 22.75
            (255, 406.75),          // j7, qh[31] bit 7 set, q = 17: 0.5*48*17 - 1.25 = 408 - 1.25
        ], "q5_K")
    }

    func testQ5_KElementOrder() {
        // All (sc, m) = (1, 0), d = 1, dmin = 0, qs 0, qh 0: every element 0.
        // qh[l] bit b belongs to element 32b + l: setting it gives q = 16.
        let scales: [UInt8] = [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1]
        let cases: [(byte: Int, bit: Int, elem: Int)] = [(0, 0, 0), (0, 1, 32), (3, 2, 67), (7, 5, 167), (31, 7, 255)]
        for c in cases {
            var qh = [UInt8](repeating: 0, count: 32)
            qh[c.byte] = 1 << c.bit
            let block = le16(0x3C00) + le16(0) + scales + qh + [UInt8](repeating: 0, count: 128)
            assertOnly(dequant(KERN_DTYPE_Q5_K, block, count: 256), c.elem, is: 16, othersAre: 0,
                       "q5_K qh[\(c.byte)] bit \(c.bit)")
        }
        // The nibbles follow Q4_K: qs[1] high nibble is element 33.
        var qs = [UInt8](repeating: 0, count: 128)
        qs[1] = 0x10
        let block = le16(0x3C00) + le16(0) + scales + [UInt8](repeating: 0, count: 32) + qs
        assertOnly(dequant(KERN_DTYPE_Q5_K, block, count: 256), 33, is: 1, othersAre: 0, "q5_K qs[1] high")
    }

    func testQ6_KNegativeQuantsAndInt8Scales() {
        // x = (d * scale) * (v - 32), d = 0.5, scale = scales[e / 16] (int8).
        let out = dequant(KERN_DTYPE_Q6_K, q6_KBlock(), count: 256)
        assertElements(out, [
            (0, -16),      // s 1, v 0 -> q -32: 0.5*1*-32 = -16
            (1, 15.5),     // s 1, v 63 -> q 31: 15.5
            (2, -16), (15, -16),
            (16, -1),      // s -2, v 33 -> q 1: 0.5*-2*1 = -1
            (17, 1),       // s -2, v 31 -> q -1: 1
            (18, 32), (31, 32), // s -2, v 0 -> q -32: 0.5*-2*-32 = 32
            (32, -18),     // s 3, v 20 -> q -12: 0.5*3*-12 = -18
            (33, -48),     // s 3, v 0 -> q -32: -48
            (48, 0), (64, 0), // s3, s4 = 0
            (80, 90),      // s 10, v 50 -> q 18: 0.5*10*18 = 90
            (81, -160),    // s 10, v 0: 0.5*10*-32 = -160
            (96, 0), (191, 0), // s6, s11 = 0
            (128, 1600),   // s -128, v 7 -> q -25: 0.5*-128*-25 = 1600
            (129, 2048),   // s -128, v 0: 0.5*-128*-32 = 2048
            (240, -2032), (254, -2032), // s 127, v 0: 0.5*127*-32 = -2032
            (255, 825.5),  // s 127, v 45 -> q 13: 0.5*127*13 = 825.5
        ], "q6_K")
    }

    func testQ6_KElementOrder() {
        // scales all 1, d = 1, ql 0, qh 0: every element is 0 - 32 = -32.
        let scales = [UInt8](repeating: 1, count: 16)
        // ql[b] nibble: element 128*(b/64) + 32*(2*nibble + (b%64)/32) + b%32; value 1 gives -31.
        let qlCases: [(byte: Int, high: Bool, elem: Int)] = [
            (0, true, 64), (32, false, 32), (64, false, 128), (95, true, 223), (127, true, 255),
        ]
        for c in qlCases {
            var ql = [UInt8](repeating: 0, count: 128)
            ql[c.byte] = c.high ? 0x10 : 0x01
            let block = ql + [UInt8](repeating: 0, count: 64) + scales + le16(0x3C00)
            assertOnly(dequant(KERN_DTYPE_Q6_K, block, count: 256), c.elem, is: -31, othersAre: -32,
                       "q6_K ql[\(c.byte)] \(c.high ? "high" : "low")")
        }
        // qh[b] bits 2k..2k+1: element 128*(b/32) + 32k + b%32; value 1 there is v = 16 -> -16.
        let qhCases: [(byte: Int, shift: Int, elem: Int)] = [(5, 2, 37), (40, 6, 232), (63, 0, 159)]
        for c in qhCases {
            var qh = [UInt8](repeating: 0, count: 64)
            qh[c.byte] = 1 << c.shift
            let block = [UInt8](repeating: 0, count: 128) + qh + scales + le16(0x3C00)
            assertOnly(dequant(KERN_DTYPE_Q6_K, block, count: 256), c.elem, is: -16, othersAre: -32,
                       "q6_K qh[\(c.byte)] shift \(c.shift)")
        }
    }

    // MARK: rows of several blocks

    func testRowOfBlocksAdvancesByBlockSize() {
        // A row [hand block, all-zero block, hand block] must decode to [B, zeros, B]:
        // a kernel that mis-strides src or dst breaks the second copy.
        let blocks: [(kern_dtype, [UInt8])] = [
            (KERN_DTYPE_Q4_0, q4_0Block()), (KERN_DTYPE_Q4_1, q4_1Block()), (KERN_DTYPE_Q5_0, q5_0Block()),
            (KERN_DTYPE_Q5_1, q5_1Block()), (KERN_DTYPE_Q8_0, q8_0Block()), (KERN_DTYPE_Q2_K, q2_KBlock()),
            (KERN_DTYPE_Q3_K, q3_KBlock()), (KERN_DTYPE_Q4_K, q4_KBlock()), (KERN_DTYPE_Q5_K, q5_KBlock()),
            (KERN_DTYPE_Q6_K, q6_KBlock()),
        ]
        for (type, block) in blocks {
            let e = Int(kern_dtype_block_elems(typeID(type)))
            let single = dequant(type, block, count: e)
            let row = dequant(type, block + [UInt8](repeating: 0, count: block.count) + block, count: 3 * e)
            let name = String(cString: kern_dtype_name(typeID(type)))
            XCTAssertEqual(Array(row[0..<e]), single, name)
            XCTAssertEqual(Array(row[e..<2 * e]), [Float](repeating: 0, count: e), name)
            XCTAssertEqual(Array(row[2 * e..<3 * e]), single, name)
        }
    }

    // MARK: refusals

    func testUnsupportedTypesAndPartialBlocksReturnMinusOne() {
        let src = [UInt8](repeating: 0x11, count: 4096)
        func call(_ type: Int32, _ n: Int64) -> (Int32, Bool) {
            var dst = [Float](repeating: 42, count: 1024)
            let rc = src.withUnsafeBytes { s in dst.withUnsafeMutableBufferPointer { kern_row_dequant(type, s.baseAddress, $0.baseAddress, n) } }
            return (rc, dst.allSatisfy { $0 == 42 })
        }
        let refused: [(Int32, Int64, String)] = [
            (typeID(KERN_DTYPE_Q8_1), 32, "q8_1"),
            (typeID(KERN_DTYPE_Q8_K), 256, "q8_K"),
            (4, 32, "id 4 (removed Q4_2)"),
            (99, 32, "unknown id 99"),
            (-1, 32, "negative id"),
            (typeID(KERN_DTYPE_Q4_0), 31, "q4_0 partial block"),
            (typeID(KERN_DTYPE_Q4_0), 48, "q4_0 one and a half blocks"),
            (typeID(KERN_DTYPE_Q5_1), 33, "q5_1 partial block"),
            (typeID(KERN_DTYPE_Q8_0), 16, "q8_0 half block"),
            (typeID(KERN_DTYPE_Q2_K), 128, "q2_K half block"),
            (typeID(KERN_DTYPE_Q4_K), 32, "q4_K one 32-sub-block"),
            (typeID(KERN_DTYPE_Q6_K), 257, "q6_K partial block"),
            (typeID(KERN_DTYPE_F32), -1, "negative n"),
        ]
        for (type, n, what) in refused {
            let (rc, untouched) = call(type, n)
            XCTAssertEqual(rc, -1, what)
            XCTAssertTrue(untouched, "\(what): dst was written")
        }
        // Whole blocks of the same types are accepted (so the refusals above are about n and type only).
        XCTAssertEqual(call(typeID(KERN_DTYPE_Q4_0), 64).0, 0)
        XCTAssertEqual(call(typeID(KERN_DTYPE_Q6_K), 512).0, 0)
        XCTAssertEqual(call(typeID(KERN_DTYPE_F16), 0).0, 0)
    }

    // MARK: round trips through independent Swift quantizers

    /// Random blocks of mixed magnitude and sign: some centered, some all-positive, some all-negative.
    private func randomRow(blocks: Int, seed: UInt64) -> [Float] {
        var rng = KT.RNG(state: seed)
        var x: [Float] = []
        for b in 0..<blocks {
            let scale = Float([0.01, 1, 37, 0.3][b % 4])
            let offset: Float = [0, 0.5, -0.5, 0][(b / 4) % 4]
            for _ in 0..<32 { x.append((rng.nextUnit() * 2 - 1 + offset) * scale) }
        }
        return x
    }

    func testQ4_0RoundTrip() {
        let x = randomRow(blocks: 64, seed: 1)
        var bytes: [UInt8] = [], expected: [Float] = [], bounds: [Float] = []
        for b in 0..<(x.count / 32) {
            let v = Array(x[b * 32..<(b + 1) * 32])
            let amax = v.map(abs).max()!
            let h = kern_fp16_from_fp32(amax / 7)
            let d = kern_fp16_to_fp32(h)
            let q = v.map { Int(max(-8, min(7, ($0 / d).rounded()))) + 8 }  // 0...15
            bytes += le16(h)
            for j in 0..<16 { bytes.append(UInt8(q[j]) | UInt8(q[j + 16]) << 4) }
            expected += q.map { Float($0 - 8) * d }
            bounds += [Float](repeating: 0.5 * d * 1.0001, count: 32)
        }
        let out = dequant(KERN_DTYPE_Q4_0, bytes, count: x.count)
        XCTAssertEqual(out, expected)
        for i in x.indices { XCTAssertLessThanOrEqual(abs(out[i] - x[i]), bounds[i], "q4_0 element \(i)") }
    }

    func testQ4_1RoundTrip() {
        let x = randomRow(blocks: 64, seed: 2)
        var bytes: [UInt8] = [], expected: [Float] = [], bounds: [Float] = []
        for b in 0..<(x.count / 32) {
            let v = Array(x[b * 32..<(b + 1) * 32])
            let lo = v.min()!, hi = v.max()!
            let hd = kern_fp16_from_fp32((hi - lo) / 15), hm = kern_fp16_from_fp32(lo)
            let d = kern_fp16_to_fp32(hd), m = kern_fp16_to_fp32(hm)
            let q = v.map { Int(max(0, min(15, (($0 - m) / d).rounded()))) }
            bytes += le16(hd) + le16(hm)
            for j in 0..<16 { bytes.append(UInt8(q[j]) | UInt8(q[j + 16]) << 4) }
            expected += q.map { Float($0) * d + m }
            // Half a step, plus the f16 rounding of m (which can push the minimum just below level 0).
            bounds += [Float](repeating: 0.5 * d * 1.0001 + abs(lo - m) + 1e-6 * abs(lo), count: 32)
        }
        let out = dequant(KERN_DTYPE_Q4_1, bytes, count: x.count)
        XCTAssertEqual(out, expected)
        for i in x.indices { XCTAssertLessThanOrEqual(abs(out[i] - x[i]), bounds[i], "q4_1 element \(i)") }
    }

    func testQ8_0RoundTrip() {
        let x = randomRow(blocks: 64, seed: 3)
        var bytes: [UInt8] = [], expected: [Float] = [], bounds: [Float] = []
        for b in 0..<(x.count / 32) {
            let v = Array(x[b * 32..<(b + 1) * 32])
            let amax = v.map(abs).max()!
            let h = kern_fp16_from_fp32(amax / 127)
            let d = kern_fp16_to_fp32(h)
            let q = v.map { Int8(max(-127, min(127, ($0 / d).rounded()))) }
            bytes += le16(h) + q.map { UInt8(bitPattern: $0) }
            expected += q.map { Float($0) * d }
            bounds += [Float](repeating: 0.5 * d * 1.0001, count: 32)
        }
        let out = dequant(KERN_DTYPE_Q8_0, bytes, count: x.count)
        XCTAssertEqual(out, expected)
        for i in x.indices { XCTAssertLessThanOrEqual(abs(out[i] - x[i]), bounds[i], "q8_0 element \(i)") }
    }
}
