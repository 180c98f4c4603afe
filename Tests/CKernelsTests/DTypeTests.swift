import CKernels
import XCTest

final class DTypeTests: XCTestCase {
    func testHalfRoundTripsEveryFiniteCode() {
        for code in 0..<0x10000 {
            let h = UInt16(code)
            let exp = (h >> 10) & 0x1f
            if exp == 0x1f { continue }  // inf and nan
            let f = kern_fp16_to_fp32(h)
            XCTAssertEqual(kern_fp16_from_fp32(f), h, "half 0x\(String(h, radix: 16))")
        }
    }

    func testHalfRoundsToNearestEven() {
        // 1 + 2^-11 lies halfway between 1.0 (0x3c00) and 1 + 2^-10 (0x3c01): ties to even.
        XCTAssertEqual(kern_fp16_from_fp32(1.0 + 0x1p-11), 0x3c00)
        // 1 + 3 * 2^-11 lies halfway between 0x3c01 and 0x3c02: ties to even (0x3c02).
        XCTAssertEqual(kern_fp16_from_fp32(1.0 + 3 * 0x1p-11), 0x3c02)
        XCTAssertEqual(kern_fp16_from_fp32(65520), 0x7c00)  // overflows to inf
        XCTAssertEqual(kern_fp16_from_fp32(0x1p-25), 0)     // half of the smallest subnormal: to even (0)
        XCTAssertEqual(kern_fp16_from_fp32(0x1.8p-25), 1)   // above half: smallest subnormal
        XCTAssertEqual(kern_fp16_to_fp32(0x0001), 0x1p-24)
        XCTAssertEqual(kern_fp16_to_fp32(0xc000), -2)
    }

    func testBFloat16() {
        XCTAssertEqual(kern_bf16_to_fp32(0x3f80), 1)
        XCTAssertEqual(kern_bf16_from_fp32(1.0 + 0x1p-8), 0x3f80)       // tie to even
        XCTAssertEqual(kern_bf16_from_fp32(1.0 + 3 * 0x1p-8), 0x3f82)   // tie to even, upward
    }

    func testLayouts() {
        XCTAssertEqual(kern_dtype_block_elems(Int32(KERN_DTYPE_Q4_K.rawValue)), 256)
        XCTAssertEqual(kern_dtype_block_bytes(Int32(KERN_DTYPE_Q6_K.rawValue)), 210)
        XCTAssertEqual(kern_dtype_block_bytes(Int32(KERN_DTYPE_Q4_1.rawValue)), 20)
        XCTAssertEqual(kern_dtype_block_elems(99), 0)
        XCTAssertEqual(String(cString: kern_dtype_name(99)), "unknown")
    }
}
