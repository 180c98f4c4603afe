import Foundation

/// Global functions: `range`, `namespace`, `dict`, `raise_exception`, `strftime_now`.
extension TemplateRenderer {
    func callBuiltin(_ builtin: TemplateBuiltin, positional: [TemplateValue], keyword: [(String, TemplateValue)]) throws -> TemplateValue {
        switch builtin {
        case .range:
            let bounds = try positional.map { value -> Int in
                guard let int = value.asInt else { throw TemplateRuntimeError("range(): arguments must be integers, not \(value.typeName)") }
                return int
            }
            let (start, stop, step): (Int, Int, Int)
            switch bounds.count {
            case 1: (start, stop, step) = (0, bounds[0], 1)
            case 2: (start, stop, step) = (bounds[0], bounds[1], 1)
            case 3: (start, stop, step) = (bounds[0], bounds[1], bounds[2])
            default: throw TemplateRuntimeError("range() expects 1 to 3 arguments, got \(bounds.count)")
            }
            guard step != 0 else { throw TemplateRuntimeError("range() step must not be zero") }
            let values = Array(stride(from: start, to: stop, by: step))
            guard values.count <= 1_000_000 else { throw TemplateRuntimeError("range() too large") }
            return .list(values.map { .int($0) })
        case .namespace, .dict:
            var attributes = TemplateDict()
            for value in positional {
                guard case .dict(let initial) = value else {
                    throw TemplateRuntimeError("\(builtin.rawValue)() positional argument must be a mapping")
                }
                for entry in initial.entries { attributes[entry.key] = entry.value }
            }
            for (name, value) in keyword { attributes[name] = value }
            if builtin == .dict { return .dict(attributes) }
            namespaces.append(attributes)
            return .namespace(namespaces.count - 1)
        case .raiseException:
            let message = positional.first?.outputString ?? keyword.first?.1.outputString ?? "raise_exception() called"
            throw ChatTemplateError.raised(message: message)
        case .strftimeNow:
            guard case .string(let format)? = positional.first ?? keyword.first(where: { $0.0 == "format" })?.1 else {
                throw TemplateRuntimeError("strftime_now() expects a format string")
            }
            return .string(Self.strftime(format, date: Date()))
        }
    }

    /// A C `strftime` subset (English names, local time zone).
    static func strftime(_ format: String, date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let year = parts.year ?? 1970
        let month = parts.month ?? 1
        let day = parts.day ?? 1
        let hour = parts.hour ?? 0
        let minute = parts.minute ?? 0
        let second = parts.second ?? 0
        let weekday = (parts.weekday ?? 1) - 1
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        func pad(_ value: Int, _ width: Int = 2, padding: Bool) -> String {
            let digits = String(value)
            return padding ? String(repeating: "0", count: max(0, width - digits.count)) + digits : digits
        }
        var result = ""
        var characters = format.makeIterator()
        while let character = characters.next() {
            guard character == "%" else {
                result.append(character)
                continue
            }
            guard var code = characters.next() else {
                result.append("%")
                break
            }
            var padding = true
            if code == "-", let next = characters.next() {
                padding = false
                code = next
            }
            let hour12 = hour % 12 == 0 ? 12 : hour % 12
            switch code {
            case "Y": result += String(year)
            case "y": result += pad(year % 100, padding: padding)
            case "m": result += pad(month, padding: padding)
            case "d": result += pad(day, padding: padding)
            case "e": result += padding ? (day < 10 ? " \(day)" : String(day)) : String(day)
            case "H": result += pad(hour, padding: padding)
            case "I": result += pad(hour12, padding: padding)
            case "M": result += pad(minute, padding: padding)
            case "S": result += pad(second, padding: padding)
            case "j": result += pad(dayOfYear, 3, padding: padding)
            case "p": result += hour < 12 ? "AM" : "PM"
            case "b", "h": result += String(months[month - 1].prefix(3))
            case "B": result += months[month - 1]
            case "a": result += String(weekdays[weekday].prefix(3))
            case "A": result += weekdays[weekday]
            case "w": result += String(weekday)
            case "F": result += "\(year)-\(pad(month, padding: true))-\(pad(day, padding: true))"
            case "T": result += "\(pad(hour, padding: true)):\(pad(minute, padding: true)):\(pad(second, padding: true))"
            case "Z": result += timeZone.abbreviation(for: date) ?? ""
            case "%": result += "%"
            default: result += "%" + String(code)
            }
        }
        return result
    }
}
