import CKernels
import TallyModel
import XCTest

final class ComputeContextTests: XCTestCase {
    func testForcedLevelsAndErrors() throws {
        let scalar = try ComputeContext(threads: 1, cpuLevel: "scalar")
        XCTAssertEqual(scalar.isa, Int32(KERN_ISA_SCALAR.rawValue))
        XCTAssertEqual(scalar.bestISA, kern_cpu_detect())
        if scalar.bestISA > 0 { XCTAssertTrue(scalar.summary.hasPrefix("cpu scalar (forced; best "), scalar.summary) }
        XCTAssertThrowsError(try ComputeContext(threads: 1, cpuLevel: "sse9")) { e in
            XCTAssertEqual("\(e)", "TALLY_CPU=sse9 is not one of scalar, avx2, avx512")
        }
        if kern_cpu_detect() < Int32(KERN_ISA_AVX512.rawValue) {
            XCTAssertThrowsError(try ComputeContext(threads: 1, cpuLevel: "avx512")) { e in
                XCTAssertTrue("\(e)".contains("is not supported by this CPU"), "\(e)")
            }
        }
        XCTAssertThrowsError(try ComputeContext(threads: 0))
    }

    func testSummaryNamesThreadsPinningAndNUMA() throws {
        let c = try ComputeContext(threads: 2)
        XCTAssertEqual(c.numaNodes, Int(kern_numa_nodes()))
        XCTAssertTrue(c.summary.contains("2 threads"), c.summary)
        if c.numaNodes == 1 {
            XCTAssertTrue(c.summary.hasSuffix("NUMA: 1 node, no placement needed"), c.summary)
            // On one node interleaving is a no-op that says so.
            var page = [UInt8](repeating: 0, count: 8192)
            XCTAssertEqual(page.withUnsafeMutableBytes { kern_numa_interleave($0.baseAddress, $0.count) }, 0)
        } else {
            XCTAssertTrue(c.summary.contains("weights interleaved"), c.summary)
        }
        if !c.pinnedCPUs.isEmpty { XCTAssertEqual(c.pinnedCPUs.count, 2) }
    }
}
