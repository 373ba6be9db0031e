import CHDF5

/// An open HDF5 file; every object is addressed by its absolute path (`/entry_1/data_1/data`).
///
/// Invariants: the identifier is open until `close()` or deinit; the file uses the strong close degree, so
/// closing it also closes every dataset still open in it and the file is fully released on return (what
/// the atomic writers rely on before they rename).
public final class HDF5File {
    /// The path as the caller named it; used in every error message.
    public let path: String
    let handle: HDF5Handle

    var id: hid_t { handle.id }

    private init(path: String, id: hid_t) {
        self.path = path
        handle = HDF5Handle(id, kind: .file)
    }

    /// Opens an existing file. Callers wanting a precise diagnosis (missing, unreadable, not HDF5) check
    /// first: `InputError.checkReadableHDF5(path:)` does.
    public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
        HDF5Library.prepare()
        let access = try strongCloseAccessList(path)
        defer { H5Pclose(access) }
        let flags = writable ? ptychite_H5F_ACC_RDWR() : ptychite_H5F_ACC_RDONLY()
        let id = try hdf5Check(H5Fopen(path, flags, access), file: path, object: "/", "cannot open as HDF5")
        return HDF5File(path: path, id: id)
    }

    /// Creates a file, failing if it exists unless `overwrite` is set.
    public static func create(_ path: String, overwrite: Bool = false) throws -> HDF5File {
        HDF5Library.prepare()
        let access = try strongCloseAccessList(path)
        defer { H5Pclose(access) }
        let flags = overwrite ? ptychite_H5F_ACC_TRUNC() : ptychite_H5F_ACC_EXCL()
        let id = try hdf5Check(H5Fcreate(path, flags, hid_t(ptychite_H5P_DEFAULT()), access),
                               file: path, object: "/", "cannot create the file")
        return HDF5File(path: path, id: id)
    }

    private static func strongCloseAccessList(_ path: String) throws -> hid_t {
        let access = try hdf5Check(H5Pcreate(ptychite_H5P_FILE_ACCESS()), file: path, object: "/",
                                   "cannot create a file-access property list")
        H5Pset_fclose_degree(access, H5F_CLOSE_STRONG)
        return access
    }

    /// Flushes and closes the file and everything open in it. Idempotent; throws if the final flush fails.
    public func close() throws {
        _ = try hdf5Check(handle.close(), file: path, object: "/", "cannot flush and close the file")
    }

    /// True when every component of `objectPath` exists and the last one resolves (soft links followed).
    public func exists(_ objectPath: String) -> Bool {
        HDF5Library.prepare()
        var prefix = ""
        for component in objectPath.split(separator: "/") {
            prefix += "/" + component
            let lapl = hid_t(ptychite_H5P_DEFAULT())
            guard H5Lexists(id, prefix, lapl) > 0, H5Oexists_by_name(id, prefix, lapl) > 0 else { return false }
        }
        return true
    }

    /// True when `objectPath` resolves to a dataset (not a group).
    public func isDataset(_ objectPath: String) -> Bool {
        guard exists(objectPath) else { return false }
        let object = H5Oopen(id, objectPath, hid_t(ptychite_H5P_DEFAULT()))
        guard object >= 0 else { return false }
        defer { H5Oclose(object) }
        return H5Iget_type(object) == H5I_DATASET
    }

    /// Opens the dataset at `objectPath`, following soft links.
    public func dataset(_ objectPath: String) throws -> HDF5Dataset {
        guard exists(objectPath) else {
            throw HDF5Error(file: path, object: objectPath, problem: "no such dataset")
        }
        return try HDF5Dataset(file: self, path: objectPath)
    }

    /// Creates `groupPath` and any missing parent, optionally tagging it with a NeXus `NX_class`.
    /// An existing group is reused.
    public func createGroup(_ groupPath: String, nxClass: String? = nil) throws {
        if !exists(groupPath) {
            let links = try intermediateGroupLinkList()
            defer { H5Pclose(links) }
            let group = try hdf5Check(
                H5Gcreate2(id, groupPath, links, hid_t(ptychite_H5P_DEFAULT()), hid_t(ptychite_H5P_DEFAULT())),
                file: path, object: groupPath, "cannot create the group")
            H5Gclose(group)
        }
        if let nxClass { try setAttribute("NX_class", nxClass, on: groupPath) }
    }

    /// Creates a soft link at `linkPath` pointing to `target` (an absolute path; it may not exist yet).
    public func createSoftLink(_ linkPath: String, to target: String) throws {
        let links = try intermediateGroupLinkList()
        defer { H5Pclose(links) }
        _ = try hdf5Check(H5Lcreate_soft(target, id, linkPath, links, hid_t(ptychite_H5P_DEFAULT())),
                          file: path, object: linkPath, "cannot create a soft link to \(target)")
    }

    /// Removes the link at `linkPath` (the object goes when nothing else links to it). The space is not
    /// reclaimed in the file; writers use it to replace a dataset, tests to break fixtures.
    public func removeLink(_ linkPath: String) throws {
        _ = try hdf5Check(H5Ldelete(id, linkPath, hid_t(ptychite_H5P_DEFAULT())), file: path, object: linkPath,
                          "cannot remove the link")
    }

    /// Link-creation list that makes missing parent groups on the way.
    func intermediateGroupLinkList() throws -> hid_t {
        let links = try hdf5Check(H5Pcreate(ptychite_H5P_LINK_CREATE()), file: path, object: "/",
                                  "cannot create a link-creation property list")
        H5Pset_create_intermediate_group(links, 1)
        return links
    }
}
