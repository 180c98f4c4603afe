import CKernels
import Foundation

/// The kernels' execution context: a pinned C thread pool and the instruction-set
/// level every kernel call dispatches on, picked once at start.
///
/// `TALLY_CPU=scalar|avx2|avx512` forces a level (for tests and comparisons); a
/// level the CPU lacks is refused.
public final class ComputeContext: @unchecked Sendable {  // the pool is driven from one thread at a time
    public let threads: Int
    public let isa: Int32
    /// The best level this CPU supports (isa may be lower when forced).
    public let bestISA: Int32
    /// CPUs the workers are pinned to (thread i on cpus[i]); empty when not pinned.
    public let pinnedCPUs: [Int32]
    /// Memory nodes of this host (1 on a single-node host).
    public let numaNodes: Int
    let pool: OpaquePointer
    private let memory: UnsafeMutableRawPointer

    public enum Error: Swift.Error, CustomStringConvertible {
        case badThreadCount(Int)
        case unknownCPULevel(String)
        case unsupportedCPULevel(String, best: String)
        case poolStartFailed(Int)

        public var description: String {
            switch self {
            case .badThreadCount(let n): "--threads must be between 1 and 256 (got \(n))"
            case .unknownCPULevel(let s): "TALLY_CPU=\(s) is not one of scalar, avx2, avx512"
            case .unsupportedCPULevel(let s, let best): "TALLY_CPU=\(s) is not supported by this CPU (best: \(best))"
            case .poolStartFailed(let n): "could not start \(n) worker threads"
            }
        }
    }

    /// - Parameters:
    ///   - threads: kernel threads (the calling thread counts as one); nil = the machine's cores.
    ///   - cpuLevel: a forced level name; nil reads `TALLY_CPU`, and without it the best level is used.
    public init(threads: Int? = nil, cpuLevel: String? = nil) throws {
        let n = threads ?? ProcessInfo.processInfo.activeProcessorCount
        guard (1...256).contains(n) else { throw Error.badThreadCount(n) }
        let best = kern_cpu_detect()
        bestISA = best
        numaNodes = Int(kern_numa_nodes())
        let forced = cpuLevel ?? ProcessInfo.processInfo.environment["TALLY_CPU"]
        if let forced, !forced.isEmpty {
            let levels: [String: Int32] = ["scalar": Int32(KERN_ISA_SCALAR.rawValue), "avx2": Int32(KERN_ISA_AVX2.rawValue),
                                           "avx512": Int32(KERN_ISA_AVX512.rawValue)]
            guard let level = levels[forced] else { throw Error.unknownCPULevel(forced) }
            guard level <= best else { throw Error.unsupportedCPULevel(forced, best: String(cString: kern_isa_name(best))) }
            isa = level
        } else {
            isa = best
        }
        self.threads = n
        memory = UnsafeMutableRawPointer.allocate(byteCount: kern_pool_bytes(Int32(n)), alignment: 64)
        pool = OpaquePointer(memory)
        let cpus = ComputeContext.pinningPlan(threads: n)
        pinnedCPUs = cpus
        let rc = cpus.withUnsafeBufferPointer { kern_pool_start(pool, Int32(n), cpus.isEmpty ? nil : $0.baseAddress) }
        guard rc == 0 else {
            memory.deallocate()
            throw Error.poolStartFailed(n)
        }
    }

    deinit {
        kern_pool_stop(pool)
        memory.deallocate()
    }

    public var isaName: String { String(cString: kern_isa_name(isa)) }

    /// One line for the startup log: the kernel path taken, threads, pinning and NUMA.
    public var summary: String {
        let forced = isa < bestISA ? " (forced; best \(String(cString: kern_isa_name(bestISA))))" : ""
        let pinning = pinnedCPUs.isEmpty ? "not pinned" : "pinned to CPUs \(pinnedCPUs.map(String.init).joined(separator: ","))"
        let numa = numaNodes > 1 ? "NUMA: \(numaNodes) nodes, weights interleaved" : "NUMA: 1 node, no placement needed"
        return "cpu \(isaName)\(forced), \(threads) threads \(pinning); \(numa)"
    }

    /// CPUs to pin workers to: one per allowed CPU when there are enough of them, else none.
    static func pinningPlan(threads: Int) -> [Int32] {
        var allowed = [Int32](repeating: 0, count: 1024)
        let n = Int(allowed.withUnsafeMutableBufferPointer { kern_cpu_allowed($0.baseAddress, Int32($0.count)) })
        return n >= threads ? Array(allowed.prefix(threads)) : []
    }
}
