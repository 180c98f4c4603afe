import CKernels
import Foundation
import TallyModel
import XCTest

final class GGUFFileTests: XCTestCase {
    private func sampleWriter() -> GGUFWriter {
        var w = GGUFWriter()
        w.metadata = [
            ("general.architecture", .string("llama")),
            ("u8", .uint8(200)), ("i8", .int8(-5)), ("u16", .uint16(60000)), ("i16", .int16(-300)),
            ("u32", .uint32(4_000_000_000)), ("i32", .int32(-70000)), ("f32", .float32(1.5)),
            ("b", .bool(true)), ("s", .string("héllo")), ("u64", .uint64(1 << 40)), ("i64", .int64(-(1 << 40))),
            ("f64", .float64(-2.25)),
            ("arr.s", .array([.string("a"), .string("bc")])),
            ("arr.f", .array([.float32(0.5), .float32(-1)])),
            ("arr.nested", .array([.array([.int32(1), .int32(2)]), .array([.int32(3)])])),
        ]
        w.tensors = [
            .f32("a", dims: [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]),
            .f32("b", dims: [3], [9, 10, 11]),
        ]
        return w
    }

    func testRoundTripsEveryValueTypeAndTensorData() throws {
        let path = TestSupport.temporaryPath("roundtrip.gguf")
        try sampleWriter().write(to: path)
        let f = try GGUFFile(path: path)
        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(f.architecture, "llama")
        XCTAssertEqual(f.metadata.count, 16)
        XCTAssertEqual(f.metadata["u8"], .uint8(200))
        XCTAssertEqual(f.metadata.int("i8"), -5)
        XCTAssertEqual(f.metadata.int("u16"), 60000)
        XCTAssertEqual(f.metadata.int("i16"), -300)
        XCTAssertEqual(f.metadata.int("u32"), 4_000_000_000)
        XCTAssertEqual(f.metadata.int("i32"), -70000)
        XCTAssertEqual(f.metadata.float("f32"), 1.5)
        XCTAssertEqual(f.metadata.bool("b"), true)
        XCTAssertEqual(f.metadata.string("s"), "héllo")
        XCTAssertEqual(f.metadata.int("u64"), 1 << 40)
        XCTAssertEqual(f.metadata.int("i64"), -(1 << 40))
        XCTAssertEqual(f.metadata["f64"], .float64(-2.25))
        XCTAssertEqual(f.metadata.stringArray("arr.s"), ["a", "bc"])
        XCTAssertEqual(f.metadata.floatArray("arr.f"), [0.5, -1])
        XCTAssertEqual(f.metadata["arr.nested"], .array([.array([.int32(1), .int32(2)]), .array([.int32(3)])]))
        XCTAssertEqual(f.tensors.map(\.name), ["a", "b"])
        let a = try XCTUnwrap(f.tensor(named: "a"))
        XCTAssertEqual(a.rowLength, 4)
        XCTAssertEqual(a.rowCount, 2)
        XCTAssertEqual(f.data(of: a).load(fromByteOffset: 4 * 5, as: Float.self), 6)
        let b = try XCTUnwrap(f.tensor(named: "b"))
        XCTAssertEqual(f.data(of: b).load(fromByteOffset: 8, as: Float.self), 11)
        XCTAssertEqual((Int(bitPattern: f.data(of: b)) - Int(bitPattern: f.data(of: a))) % 32, 0)
    }

    private func assertOpenFails(_ bytes: [UInt8], _ name: String, file: StaticString = #filePath, line: UInt = #line,
                                 _ check: (GGUFError) -> Bool) {
        let path = TestSupport.temporaryPath(name)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try GGUFFile(path: path)
            XCTFail("opening \(name) succeeded", file: file, line: line)
        } catch let e as GGUFError {
            XCTAssertTrue(check(e), "unexpected error: \(e)", file: file, line: line)
            XCTAssertTrue(e.description.hasPrefix(path), "the message names the file: \(e)", file: file, line: line)
        } catch {
            XCTFail("not a GGUFError: \(error)", file: file, line: line)
        }
    }

    func testTruncatedAnywhereIsAClearError() {
        let bytes = sampleWriter().encoded()
        // Cut inside the header, the metadata, the tensor infos and the tensor data.
        // The last tensor is 12 bytes followed by 20 bytes of padding: count - 21 cuts its last byte.
        for cut in [3, 10, 30, 120, bytes.count - 40, bytes.count - 21] {
            assertOpenFails(Array(bytes[..<cut]), "trunc\(cut).gguf") {
                if case .truncated = $0 { return true }
                return false
            }
        }
    }

    func testWrongMagic() {
        var bytes = sampleWriter().encoded()
        bytes[0] = UInt8(ascii: "X")
        assertOpenFails(bytes, "magic.gguf") {
            if case .badMagic = $0 { return true }
            return false
        }
    }

    func testUnsupportedVersion() {
        var bytes = sampleWriter().encoded()
        bytes[4] = 1
        assertOpenFails(bytes, "v1.gguf") { $0 == .unsupportedVersion(path: TestSupport.temporaryPath("v1.gguf"), version: 1) }
    }

    func testUnsupportedTensorType() {
        var w = sampleWriter()
        w.tensors[1].type = 77
        assertOpenFails(w.encoded(), "type.gguf") {
            if case .unsupportedTensorType(_, "b", 77) = $0 { return true }
            return false
        }
    }

    func testRowNotAWholeNumberOfBlocks() {
        var w = sampleWriter()
        // 40 elements of Q4_0 is not a whole number of 32-element blocks.
        w.tensors = [GGUFWriter.Tensor(name: "q", dims: [40], type: Int32(KERN_DTYPE_Q4_0.rawValue), data: [UInt8](repeating: 0, count: 64))]
        assertOpenFails(w.encoded(), "blocks.gguf") {
            if case .tensorSizeMismatch(_, "q", _) = $0 { return true }
            return false
        }
    }

    func testShapeLargerThanItsData() {
        var w = sampleWriter()
        w.tensors[1].dims = [3, 1000]  // 12000 bytes declared, 12 stored
        assertOpenFails(w.encoded(), "shape.gguf") {
            if case .truncated = $0 { return $0.description.contains("'b'") }
            return false
        }
    }

    func testNotAFile() {
        XCTAssertThrowsError(try GGUFFile(path: "/nonexistent/model.gguf")) { e in
            XCTAssertEqual((e as? GGUFError)?.description.contains("/nonexistent/model.gguf: cannot open"), true)
        }
    }

    func testRealModelHeader() throws {
        let f = try GGUFFile(path: try TestSupport.modelPath())
        XCTAssertEqual(f.architecture, "llama")
        XCTAssertEqual(f.tensors.count, 272)
        XCTAssertEqual(f.metadata.int("llama.block_count"), 30)
        XCTAssertEqual(f.metadata.stringArray("tokenizer.ggml.tokens")?.count, 49152)
        XCTAssertEqual(f.tensor(named: "token_embd.weight")?.type, Int32(KERN_DTYPE_Q8_0.rawValue))
    }
}
