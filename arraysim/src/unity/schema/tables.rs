//! The attribute tables: for each type the simulator serves, its attributes (name and
//! Unisphere type) in the order a Unity array lists them, and which of them a record may
//! leave out (`opt`: a reference or list that is not set, a field of another flavour of
//! the type). Facts from storops 1.2.12: the `rest_data/<type>/type.json` replies
//! captured from real arrays, the properties of `storops/unity/parser_configs.yaml`,
//! and the fields of the captured instance replies (newer arrays than the captured
//! metadata); a type's attributes are the union of the three. Types for attributes the
//! metadata capture lacks come from storops' converter or the captured values.
//! `user`, `loginSessionInfo` and `iscsiSettings` have no capture: their attributes are
//! chosen (arraysim/README.md). Embedded types (`health`, `blockHostAccess`, ...) are
//! the shapes records hold inline; `type` and `attribute` describe the metadata itself.

use super::{TypeDef, attr, opt};

/// Every type served at `/api/types/<t>/instances` and `/api/types/<t>`.
pub fn all() -> &'static [TypeDef] {
    SERVED
}

/// Every embedded type (records hold them inline; no instances of their own).
pub fn embedded() -> &'static [TypeDef] {
    EMBEDDED
}

const SERVED: &[TypeDef] = &[
    BASIC_SYSTEM_INFO,
    SYSTEM,
    ISCSI_SETTINGS,
    USER,
    LOGIN_SESSION_INFO,
    STORAGE_PROCESSOR,
    POOL,
    DISK,
    ETHERNET_PORT,
    FC_PORT,
    ISCSI_NODE,
    ISCSI_PORTAL,
    NAS_SERVER,
    FILE_INTERFACE,
    LUN,
    STORAGE_RESOURCE,
    FILESYSTEM,
    SNAP,
    NFS_SHARE,
    HOST,
    HOST_INITIATOR,
    HOST_LUN,
    JOB,
];

const EMBEDDED: &[TypeDef] = &[
    HEALTH,
    RESOURCE_REF,
    BLOCK_HOST_ACCESS,
    SNAP_HOST_ACCESS,
    POOL_TIER,
    POOL_FASTVP,
    JOB_TASK,
    MESSAGE,
    LOCALIZED_MESSAGE,
    FILE_EVENT_SETTINGS,
    TYPE,
    ATTRIBUTE,
    LINK,
];

/// `iscsiSettings` (chosen: storops has no such type).
pub const ISCSI_SETTINGS: TypeDef = TypeDef {
    name: "iscsiSettings",
    description: "Array-wide iSCSI settings: forward and mutual CHAP.",
    attributes: &[
        attr("id", "String"),
        attr("isForwardCHAPRequired", "Boolean"),
        attr("forwardGlobalCHAPUserName", "String"),
        attr("reverseCHAPUserName", "String"),
        opt("iSNSServer", "String"),
    ],
};

/// `user` (chosen: no capture).
pub const USER: TypeDef = TypeDef {
    name: "user",
    description: "A management user account.",
    attributes: &[
        attr("id", "String"),
        attr("name", "String"),
        attr("role", "role"),
    ],
};

/// `loginSessionInfo` (chosen: no capture).
pub const LOGIN_SESSION_INFO: TypeDef = TypeDef {
    name: "loginSessionInfo",
    description: "The caller's login session.",
    attributes: &[
        attr("id", "String"),
        attr("user", "user"),
        attr("roles", "List<role>"),
        attr("idleTimeout", "Integer"),
        attr("isPasswordChangeRequired", "Boolean"),
    ],
};

/// `health`.
pub const HEALTH: TypeDef = TypeDef {
    name: "health",
    description: "Health of an object: a value and messages.",
    attributes: &[
        attr("value", "HealthEnum"),
        attr("descriptionIds", "List<String>"),
        attr("descriptions", "List<String>"),
        opt("resolutionIds", "List<String>"),
        opt("resolutions", "List<String>"),
    ],
};

/// `resourceRef`.
pub const RESOURCE_REF: TypeDef = TypeDef {
    name: "resourceRef",
    description: "A reference to an object of any type.",
    attributes: &[
        attr("resource", "String"),
        attr("id", "String"),
        opt("name", "String"),
    ],
};

/// `blockHostAccess`.
pub const BLOCK_HOST_ACCESS: TypeDef = TypeDef {
    name: "blockHostAccess",
    description: "One host's access to a LUN.",
    attributes: &[
        attr("host", "host"),
        attr("accessMask", "HostLUNAccessEnum"),
        attr("instanceId", "String"),
        opt("productionAccess", "HostLUNAccessEnum"),
        opt("snapshotAccess", "HostLUNAccessEnum"),
    ],
};

/// `snapHostAccess`.
pub const SNAP_HOST_ACCESS: TypeDef = TypeDef {
    name: "snapHostAccess",
    description: "One host's access to an attached snapshot.",
    attributes: &[
        attr("host", "host"),
        attr("allowedAccess", "SnapAccessLevelEnum"),
        opt("instanceId", "String"),
    ],
};

/// `poolTier`.
pub const POOL_TIER: TypeDef = TypeDef {
    name: "poolTier",
    description: "One storage tier of a pool.",
    attributes: &[
        attr("tierType", "TierTypeEnum"),
        attr("stripeWidth", "RaidStripeWidthEnum"),
        attr("raidType", "RaidTypeEnum"),
        attr("instanceId", "String"),
        attr("sizeTotal", "Integer"),
        attr("sizeUsed", "Integer"),
        attr("sizeFree", "Integer"),
        attr("sizeMovingDown", "Integer"),
        attr("sizeMovingUp", "Integer"),
        attr("sizeMovingWithin", "Integer"),
        attr("name", "String"),
        attr("poolUnitCount", "Integer"),
        attr("diskCount", "Integer"),
        attr("poolUnits", "List<poolUnit>"),
    ],
};

/// `poolFASTVP`.
pub const POOL_FASTVP: TypeDef = TypeDef {
    name: "poolFASTVP",
    description: "FAST VP data relocation state of a pool.",
    attributes: &[
        attr("status", "FastVPStatusEnum"),
        attr("relocationRate", "FastVPRelocationRateEnum"),
        attr("type", "PoolDataRelocationTypeEnum"),
        attr("isScheduleEnabled", "Boolean"),
        attr("relocationDurationEstimate", "DateTime"),
        attr("sizeMovingDown", "Integer"),
        attr("sizeMovingUp", "Integer"),
        attr("sizeMovingWithin", "Integer"),
        attr("percentComplete", "Integer"),
        opt("dataRelocated", "Integer"),
        opt("lastStartTime", "DateTime"),
        opt("lastEndTime", "DateTime"),
    ],
};

/// `jobTask`.
pub const JOB_TASK: TypeDef = TypeDef {
    name: "jobTask",
    description: "One task of a job.",
    attributes: &[
        attr("state", "JobTaskStateEnum"),
        attr("name", "String"),
        attr("description", "String"),
        opt("object", "String"),
        opt("action", "String"),
        opt("submitTime", "DateTime"),
        opt("startTime", "DateTime"),
        opt("messages", "List<message>"),
        opt("parametersIn", "baseRequest"),
        opt("parametersOut", "baseResponse"),
        opt("affectedResource", "resourceRef"),
        opt("descriptionArg", "String"),
    ],
};

/// `message`.
pub const MESSAGE: TypeDef = TypeDef {
    name: "message",
    description: "A result or error message.",
    attributes: &[
        attr("errorCode", "Integer"),
        attr("messages", "List<localizedMessage>"),
        opt("severity", "SeverityEnum"),
        opt("created", "DateTime"),
        opt("httpStatusCode", "Integer"),
    ],
};

/// `localizedMessage`.
pub const LOCALIZED_MESSAGE: TypeDef = TypeDef {
    name: "localizedMessage",
    description: "A message in one language.",
    attributes: &[attr("locale", "String"), attr("message", "String")],
};

/// `fileEventSettings`.
pub const FILE_EVENT_SETTINGS: TypeDef = TypeDef {
    name: "fileEventSettings",
    description: "Which protocols publish file events.",
    attributes: &[
        attr("isCIFSEnabled", "Boolean"),
        attr("isNFSEnabled", "Boolean"),
    ],
};

/// `type`: the metadata of a type (`GET /api/types/<t>`).
pub const TYPE: TypeDef = TypeDef {
    name: "type",
    description: "The description of a type.",
    attributes: &[
        attr("name", "String"),
        opt("type", "String"),
        attr("description", "String"),
        attr("documentation", "String"),
        opt("links", "List<link>"),
        attr("attributes", "List<attribute>"),
    ],
};

/// `attribute`: one attribute in a type's metadata.
pub const ATTRIBUTE: TypeDef = TypeDef {
    name: "attribute",
    description: "One attribute of a type.",
    attributes: &[
        attr("name", "String"),
        opt("type", "String"),
        attr("description", "String"),
        attr("displayValue", "String"),
        opt("initialValue", "Integer"),
        opt("visibility", "String"),
        opt("counter", "Boolean"),
    ],
};

/// `link`.
pub const LINK: TypeDef = TypeDef {
    name: "link",
    description: "A related address.",
    attributes: &[attr("rel", "String"), attr("href", "String")],
};

/// `basicSystemInfo`.
pub const BASIC_SYSTEM_INFO: TypeDef = TypeDef {
    name: "basicSystemInfo",
    description: "Model and software versions of the array, readable without logging in.",
    attributes: &[
        attr("id", "String"),
        attr("model", "String"),
        attr("name", "String"),
        attr("softwareVersion", "String"),
        attr("apiVersion", "String"),
        attr("earliestApiVersion", "String"),
    ],
};

/// `system`.
pub const SYSTEM: TypeDef = TypeDef {
    name: "system",
    description: "The storage array as a whole.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("operationalStatus", "List<CRUOpStatusEnum>"),
        attr("health", "health"),
        attr("name", "String"),
        attr("model", "String"),
        attr("serialNumber", "String"),
        attr("licenseType", "LicenseTypeEnum"),
        attr("internalModel", "String"),
        attr("platform", "String"),
        attr("macAddress", "String"),
        attr("isEULAAccepted", "Boolean"),
        attr("isUpgradeComplete", "Boolean"),
        attr("isAutoFailbackEnabled", "Boolean"),
        attr("currentPower", "Integer"),
        attr("avgPower", "Integer"),
    ],
};

/// `storageProcessor`.
pub const STORAGE_PROCESSOR: TypeDef = TypeDef {
    name: "storageProcessor",
    description: "A storage processor (SP), one of the two controllers.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("parent", "resourceRef"),
        attr("health", "health"),
        attr("operationalStatus", "List<StorageProcessorStatusEnum>"),
        attr("needsReplacement", "Boolean"),
        attr("isRescueMode", "Boolean"),
        attr("model", "String"),
        attr("slotNumber", "Integer"),
        attr("name", "String"),
        attr("emcPartNumber", "String"),
        attr("emcSerialNumber", "String"),
        attr("manufacturer", "String"),
        attr("vendorPartNumber", "String"),
        attr("vendorSerialNumber", "String"),
        attr("sasExpanderVersion", "String"),
        attr("biosFirmwareRevision", "String"),
        attr("postFirmwareRevision", "String"),
        attr("memorySize", "Integer"),
        attr("parentDpe", "dpe"),
    ],
};

/// `pool`.
pub const POOL: TypeDef = TypeDef {
    name: "pool",
    description: "A storage pool that LUNs and file systems take space from.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("objectId", "Integer"),
        attr("health", "health"),
        attr("name", "String"),
        attr("operationalStatus", "List<PoolOpStatusEnum>"),
        attr("description", "String"),
        opt("storageResourceType", "StorageResourceTypeEnum"),
        attr("raidType", "RaidTypeEnum"),
        attr("sizeFree", "Integer"),
        attr("sizeTotal", "Integer"),
        attr("sizeUsed", "Integer"),
        attr("sizeSubscribed", "Integer"),
        attr("alertThreshold", "Integer"),
        attr("poolSpaceHarvestHighThreshold", "Float"),
        attr("poolSpaceHarvestLowThreshold", "Float"),
        attr("snapSpaceHarvestHighThreshold", "Float"),
        attr("snapSpaceHarvestLowThreshold", "Float"),
        attr("isFASTCacheEnabled", "Boolean"),
        attr("tiers", "List<poolTier>"),
        attr("creationTime", "DateTime"),
        attr("isEmpty", "Boolean"),
        attr("poolFastVP", "poolFASTVP"),
        attr("isHarvestEnabled", "Boolean"),
        attr("harvestState", "UsageHarvestStateEnum"),
        attr("isSnapHarvestEnabled", "Boolean"),
        attr("metadataSizeSubscribed", "Integer"),
        attr("snapSizeSubscribed", "Integer"),
        attr("metadataSizeUsed", "Integer"),
        attr("snapSizeUsed", "Integer"),
        opt("rebalanceProgress", "Integer"),
        attr("type", "StoragePoolTypeEnum"),
        attr("isAllFlash", "Boolean"),
    ],
};

/// `disk`.
pub const DISK: TypeDef = TypeDef {
    name: "disk",
    description: "A physical drive.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("health", "health"),
        attr("operationalStatus", "List<DiskOpStatusEnum>"),
        attr("needsReplacement", "Boolean"),
        attr("parent", "resourceRef"),
        attr("slotNumber", "Integer"),
        attr("estimatedEOL", "DateTime"),
        attr("busId", "Integer"),
        attr("name", "String"),
        attr("manufacturer", "String"),
        attr("model", "String"),
        attr("version", "String"),
        attr("emcPartNumber", "String"),
        attr("emcSerialNumber", "String"),
        attr("vendorPartNumber", "String"),
        attr("vendorSerialNumber", "String"),
        attr("tierType", "TierTypeEnum"),
        opt("diskGroup", "diskGroup"),
        attr("rpm", "Integer"),
        attr("isSED", "Boolean"),
        attr("isSystem", "Boolean"),
        attr("currentSpeed", "Integer"),
        attr("maxSpeed", "Integer"),
        opt("pool", "pool"),
        attr("isInUse", "Boolean"),
        attr("isFastCacheInUse", "Boolean"),
        attr("size", "Integer"),
        attr("rawSize", "Integer"),
        attr("vendorSize", "Integer"),
        attr("wwn", "String"),
        attr("diskTechnology", "DiskTechnologyEnum"),
        opt("parentDae", "dae"),
        opt("parentDpe", "dpe"),
        opt("bank", "String"),
        opt("bankSlotNumber", "Integer"),
        opt("bankSlot", "String"),
    ],
};

/// `ethernetPort`.
pub const ETHERNET_PORT: TypeDef = TypeDef {
    name: "ethernetPort",
    description: "An Ethernet port of a storage processor.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("operationalStatus", "List<EthernetPortStatusEnum>"),
        attr("health", "health"),
        attr("storageProcessor", "storageProcessor"),
        attr("needsReplacement", "Boolean"),
        attr("name", "String"),
        attr("portNumber", "Integer"),
        attr("speed", "EPSpeedValuesEnum"),
        attr("mtu", "Integer"),
        attr("connectorType", "ConnectorTypeEnum"),
        attr("bond", "Boolean"),
        attr("isLinkUp", "Boolean"),
        attr("macAddress", "String"),
        attr("isRSSCapable", "Boolean"),
        attr("isRDMACapable", "Boolean"),
        attr("requestedSpeed", "EPSpeedValuesEnum"),
        opt("parentIOModule", "ioModule"),
        opt("parentStorageProcessor", "storageProcessor"),
        attr("supportedSpeeds", "List<EPSpeedValuesEnum>"),
        attr("requestedMtu", "Integer"),
        attr("supportedMtus", "List<Integer>"),
        attr("shortName", "String"),
        attr("cascadeNames", "List<String>"),
        attr("linuxDeviceName", "String"),
        attr("parent", "resourceRef"),
        attr("sfpSupportedSpeeds", "List<SFPSpeedValuesEnum>"),
        attr("sfpSupportedProtocols", "List<SFPProtocolValuesEnum>"),
    ],
};

/// `fcPort`.
pub const FC_PORT: TypeDef = TypeDef {
    name: "fcPort",
    description: "A Fibre Channel port of a storage processor.",
    attributes: &[
        attr("id", "String"),
        attr("health", "health"),
        attr("operationalStatus", "List<FcStatusEnum>"),
        attr("parent", "resourceRef"),
        attr("slotNumber", "Integer"),
        attr("wwn", "String"),
        attr("availableSpeeds", "List<FcSpeedEnum>"),
        attr("currentSpeed", "FcSpeedEnum"),
        attr("requestedSpeed", "FcSpeedEnum"),
        attr("sfpSupportedSpeeds", "List<SFPSpeedValuesEnum>"),
        attr("sfpSupportedProtocols", "List<SFPProtocolValuesEnum>"),
        attr("connectorType", "ConnectorTypeEnum"),
        attr("storageProcessor", "storageProcessor"),
        attr("needsReplacement", "Boolean"),
        attr("nPortId", "Integer"),
        attr("name", "String"),
        attr("shortName", "String"),
        attr("cascadeNames", "List<String>"),
        opt("parentIOModule", "ioModule"),
        opt("parentStorageProcessor", "storageProcessor"),
        attr("portRepCapabilities", "List<PortRepCapabilityEnum>"),
    ],
};

/// `iscsiNode`.
pub const ISCSI_NODE: TypeDef = TypeDef {
    name: "iscsiNode",
    description: "An iSCSI target node of an Ethernet port.",
    attributes: &[
        attr("name", "String"),
        attr("alias", "String"),
        attr("instanceId", "String"),
        attr("ethernetPort", "ethernetPort"),
        attr("id", "String"),
    ],
};

/// `iscsiPortal`.
pub const ISCSI_PORTAL: TypeDef = TypeDef {
    name: "iscsiPortal",
    description: "An IP address iSCSI initiators log in to.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("ethernetPort", "ethernetPort"),
        attr("iscsiNode", "iscsiNode"),
        attr("ipAddress", "IPAddress"),
        attr("netmask", "IPAddress"),
        opt("v6PrefixLength", "Integer"),
        attr("gateway", "IPAddress"),
        opt("vlanId", "Integer"),
        attr("portalGroupTag", "Integer"),
        attr("ipProtocolVersion", "IpProtocolVersionEnum"),
    ],
};

/// `nasServer`.
pub const NAS_SERVER: TypeDef = TypeDef {
    name: "nasServer",
    description: "A NAS server: the file-serving identity file systems live on.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("objectId", "Integer"),
        attr("name", "String"),
        attr("health", "health"),
        attr("homeSP", "storageProcessor"),
        attr("currentSP", "storageProcessor"),
        attr("pool", "pool"),
        attr("sizeAllocated", "Integer"),
        attr("isSystem", "Boolean"),
        attr("isReplicationEnabled", "Boolean"),
        attr("isReplicationDestination", "Boolean"),
        attr("replicationType", "ReplicationTypeEnum"),
        attr("type", "NasServerTypeEnum"),
        opt("defaultUnixUser", "String"),
        opt("defaultWindowsUser", "String"),
        attr(
            "currentUnixDirectoryService",
            "NasServerUnixDirectoryServiceEnum",
        ),
        attr("isMultiProtocolEnabled", "Boolean"),
        opt("isWindowsToUnixUsernameMappingEnabled", "Boolean"),
        attr("credentialsCacheTTL", "DateTime"),
        attr("isExtendedUnixCredentialEnabled", "Boolean"),
        opt("allowUnmappedUser", "Boolean"),
        opt("cifsServer", "List<cifsServer>"),
        opt("fileDNSServer", "fileDNSServer"),
        opt("fileInterface", "List<fileInterface>"),
        opt("preferredInterfaceSettings", "preferredInterfaceSettings"),
        opt("virusChecker", "virusChecker"),
        opt("tenant", "tenant"),
        opt("isBackupOnly", "Boolean"),
        attr("isPacketReflectEnabled", "Boolean"),
        opt("filesystems", "List<filesystem>"),
        opt("eventPublisher", "eventPublisher"),
        attr("isMigrationDestination", "Boolean"),
        opt("nfsServer", "nfsServer"),
    ],
};

/// `fileInterface`.
pub const FILE_INTERFACE: TypeDef = TypeDef {
    name: "fileInterface",
    description: "A network interface of a NAS server.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("nasServer", "nasServer"),
        attr("ipPort", "ipPort"),
        attr("health", "health"),
        attr("isSystem", "Boolean"),
        attr("ipAddress", "IPAddress"),
        attr("ipProtocolVersion", "IpProtocolVersionEnum"),
        attr("netmask", "IPAddress"),
        opt("v6PrefixLength", "Integer"),
        opt("gateway", "IPAddress"),
        opt("vlanId", "Integer"),
        attr("macAddress", "String"),
        attr("name", "String"),
        attr("role", "FileInterfaceRoleEnum"),
        attr("isPreferred", "Boolean"),
        opt("replicationPolicy", "ReplicationPolicyEnum"),
        opt("sourceParameters", "fileInterfaceSourceParameters"),
        attr("isDisabled", "Boolean"),
    ],
};

/// `lun`.
pub const LUN: TypeDef = TypeDef {
    name: "lun",
    description: "A LUN. Made, changed and deleted through its storage resource.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("creationTime", "DateTime"),
        attr("operationalStatus", "List<ProvisioningOpStatusEnum>"),
        attr("health", "health"),
        attr("name", "String"),
        attr("description", "String"),
        attr("modificationTime", "DateTime"),
        attr("type", "LUNTypeEnum"),
        attr("sizeTotal", "Integer"),
        opt("sizeUsed", "Integer"),
        attr("sizeAllocated", "Integer"),
        attr("perTierSizeUsed", "List<Integer>"),
        attr("isThinEnabled", "Boolean"),
        attr("storageResource", "storageResource"),
        attr("pool", "pool"),
        attr("wwn", "String"),
        attr("tieringPolicy", "TieringPolicyEnum"),
        attr("defaultNode", "NodeEnum"),
        attr("isReplicationDestination", "Boolean"),
        attr("currentNode", "NodeEnum"),
        opt("snapSchedule", "snapSchedule"),
        attr("isSnapSchedulePaused", "Boolean"),
        opt("ioLimitPolicy", "ioLimitPolicy"),
        attr("objectId", "Integer"),
        opt("lunGroupObjectId", "Integer"),
        attr("metadataSize", "Integer"),
        attr("metadataSizeAllocated", "Integer"),
        attr("snapWwn", "String"),
        opt("smpBackendId", "String"),
        attr("snapsSize", "Integer"),
        attr("snapsSizeAllocated", "Integer"),
        opt("hostAccess", "List<blockHostAccess>"),
        attr("snapCount", "Integer"),
        attr("auSize", "AUSizeEnum"),
        attr("isCompressionEnabled", "Boolean"),
        attr("isDataReductionEnabled", "Boolean"),
        attr("isAdvancedDedupEnabled", "Boolean"),
        opt("effectiveIoLimitMaxIOPS", "Integer"),
        opt("effectiveIoLimitMaxKBPS", "Integer"),
        attr("familyBaseLun", "lun"),
        attr("familyCloneCount", "Integer"),
        attr("isThinClone", "Boolean"),
        attr("dataReductionSizeSaved", "Integer"),
        attr("dataReductionPercent", "Integer"),
        attr("dataReductionRatio", "Float"),
        attr("compressionPercent", "Integer"),
        attr("compressionRatio", "Float"),
        attr("compressionSizeSaved", "Integer"),
        attr("familySizeAllocatedTotal", "Integer"),
        attr("familySnapCount", "Integer"),
        attr("lunNumber", "Integer"),
        opt("migrationState", "Integer"),
        attr("nonBaseSize", "Integer"),
        attr("nonBaseSizeAllocated", "Integer"),
        attr("sizeAllocatedTotal", "Integer"),
        attr("sizePreallocated", "Integer"),
    ],
};

/// `storageResource`.
pub const STORAGE_RESOURCE: TypeDef = TypeDef {
    name: "storageResource",
    description: "A storage resource: what a LUN, consistency group or file system is provisioned as.",
    attributes: &[
        opt("luns", "List<lun>"),
        attr("id", "String"),
        attr("health", "health"),
        attr("name", "String"),
        attr("description", "String"),
        attr("type", "StorageResourceTypeEnum"),
        attr("isReplicationDestination", "Boolean"),
        attr("replicationType", "ReplicationTypeEnum"),
        attr("sizeTotal", "Integer"),
        opt("sizeUsed", "Integer"),
        attr("sizeAllocated", "Integer"),
        attr("thinStatus", "ThinStatusEnum"),
        attr("dedupStatus", "DedupStatusEnum"),
        opt("esxFilesystemMajorVersion", "ESXFilesystemMajorVersionEnum"),
        opt("esxFilesystemBlockSize", "ESXFilesystemBlockSizeEnum"),
        opt("snapSchedule", "snapSchedule"),
        opt("isSnapSchedulePaused", "Boolean"),
        attr("relocationPolicy", "TieringPolicyEnum"),
        attr("perTierSizeUsed", "List<Integer>"),
        opt("blockHostAccess", "List<blockHostAccess>"),
        attr("metadataSize", "Integer"),
        attr("metadataSizeAllocated", "Integer"),
        attr("snapsSizeTotal", "Integer"),
        attr("snapsSizeAllocated", "Integer"),
        attr("snapCount", "Integer"),
        opt("vmwareUUID", "String"),
        attr("pools", "List<pool>"),
        opt("datastores", "List<datastore>"),
        opt("filesystem", "filesystem"),
        opt("hostVVolDatastore", "List<hostVVolDatastore>"),
        opt("virtualVolumes", "List<virtualVolume>"),
        attr("dataReductionStatus", "DataReductionStatusEnum"),
        attr("advancedDedupStatus", "DedupStatusEnum"),
        attr("dataReductionSizeSaved", "Integer"),
        attr("dataReductionPercent", "Integer"),
        attr("dataReductionRatio", "Float"),
        attr("compressionPercent", "Integer"),
        attr("compressionRatio", "Float"),
        attr("compressionSizeSaved", "Integer"),
        attr("compressionStatus", "Integer"),
        attr("creationTime", "DateTime"),
        opt("familyBaseStorageResource", "storageResource"),
        attr("familyCloneCount", "Integer"),
        attr("familySizeAllocatedTotal", "Integer"),
        attr("familySnapCount", "Integer"),
        attr("instanceId", "String"),
        attr("isThinClone", "Boolean"),
        opt("logicalSizeUsed", "Integer"),
        attr("modificationTime", "DateTime"),
        attr("nonBaseSize", "Integer"),
        attr("nonBaseSizeAllocated", "Integer"),
        attr("objectId", "Integer"),
        attr("operationalStatus", "List<ProvisioningOpStatusEnum>"),
        opt("replicationOriginUUID", "String"),
        opt("replicationUUID", "String"),
        attr("sizeAllocatedTotal", "Integer"),
        attr("sizePreallocated", "Integer"),
        attr("syncReplicationType", "Integer"),
    ],
};

/// `filesystem`.
pub const FILESYSTEM: TypeDef = TypeDef {
    name: "filesystem",
    description: "A file system. Made, changed and deleted through its storage resource.",
    attributes: &[
        attr("poolFullPolicy", "ResourcePoolFullPolicyEnum"),
        attr("isReadOnly", "Boolean"),
        opt("cifsShare", "List<cifsShare>"),
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("health", "health"),
        attr("operationalStatus", "List<ProvisioningOpStatusEnum>"),
        attr("name", "String"),
        attr("description", "String"),
        attr("type", "FilesystemTypeEnum"),
        attr("creationTime", "DateTime"),
        attr("modificationTime", "DateTime"),
        attr("sizeTotal", "Integer"),
        attr("sizeUsed", "Integer"),
        attr("sizeAllocated", "Integer"),
        attr("hostIOSize", "HostIOSizeEnum"),
        attr("isThinEnabled", "Boolean"),
        attr("storageResource", "storageResource"),
        attr("isCIFSSyncWritesEnabled", "Boolean"),
        attr("pool", "pool"),
        attr("isCIFSOpLocksEnabled", "Boolean"),
        attr("nasServer", "nasServer"),
        attr("isCIFSNotifyOnWriteEnabled", "Boolean"),
        attr("isCIFSNotifyOnAccessEnabled", "Boolean"),
        attr("cifsNotifyOnChangeDirDepth", "Integer"),
        attr("cifsNumUsedFiles", "Integer"),
        attr("tieringPolicy", "TieringPolicyEnum"),
        attr("supportedProtocols", "FSSupportedProtocolEnum"),
        attr("oid", "Integer"),
        attr("backendId", "String"),
        attr("metadataSize", "Integer"),
        attr("metadataSizeAllocated", "Integer"),
        attr("perTierSizeUsed", "List<Integer>"),
        attr("snapsSize", "Integer"),
        attr("snapsSizeAllocated", "Integer"),
        attr("snapCount", "Integer"),
        attr("isSMBCA", "Boolean"),
        attr("accessPolicy", "AccessPolicyEnum"),
        attr("renamePolicy", "FSRenamePolicyEnum"),
        attr("lockingPolicy", "FSLockingPolicyEnum"),
        attr("format", "FSFormatEnum"),
        opt("nfsShare", "List<nfsShare>"),
        attr("sizePreallocated", "Integer"),
        attr("sizeAllocatedTotal", "Integer"),
        attr("minSizeAllocated", "Integer"),
        attr("isDataReductionEnabled", "Boolean"),
        attr("dataReductionSizeSaved", "Integer"),
        attr("dataReductionPercent", "Integer"),
        attr("dataReductionRatio", "Float"),
        attr("isAdvancedDedupEnabled", "Boolean"),
        attr("folderRenamePolicy", "FSRenamePolicyEnum"),
        attr("compressionPercent", "Integer"),
        attr("compressionRatio", "Float"),
        attr("compressionSizeSaved", "Integer"),
        attr("dedupExcludeExtensions", "List<String>"),
        attr("dedupExcludePaths", "List<String>"),
        attr("dedupNumFileRecalled", "Integer"),
        attr("dedupNumFilesDeduped", "Integer"),
        attr("dedupNumFilesScanned", "Integer"),
        attr("dedupNumFilesTotal", "Integer"),
        attr("dedupOriginalSizeUsed", "Integer"),
        attr("dedupPercentSaved", "Integer"),
        attr("dedupProgress", "Integer"),
        attr("dedupSizeSaved", "Integer"),
        attr("dedupSizeUsed", "Integer"),
        attr("dedupState", "Integer"),
        opt("exportedFSID", "String"),
        attr("fileEventSettings", "fileEventSettings"),
        opt("flrAutoLockDelay", "String"),
        opt("flrProtectedMaxRetention", "String"),
        opt("flrVersion", "Integer"),
        attr("isCompressionEnabled", "Boolean"),
        attr("isDedupRunning", "Boolean"),
        opt("isFlrAutoDeleteEnabled", "Boolean"),
        opt("isFlrAutoLockEnabled", "Boolean"),
        opt("isFlrProtected", "Boolean"),
        attr("isMigrationDestination", "Boolean"),
    ],
};

/// `snap`.
pub const SNAP: TypeDef = TypeDef {
    name: "snap",
    description: "A snapshot of a storage resource.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("name", "String"),
        attr("description", "String"),
        attr("storageResource", "storageResource"),
        opt("lun", "lun"),
        opt("snapGroup", "snap"),
        opt("parentSnap", "snap"),
        attr("creationTime", "DateTime"),
        opt("expirationTime", "DateTime"),
        attr("creatorType", "SnapCreatorTypeEnum"),
        opt("creatorUser", "user"),
        opt("creatorSchedule", "snapSchedule"),
        attr("isSystemSnap", "Boolean"),
        attr("isModifiable", "Boolean"),
        opt("attachedWWN", "String"),
        opt("accessType", "FilesystemSnapAccessTypeEnum"),
        attr("isReadOnly", "Boolean"),
        opt("lastWritableTime", "DateTime"),
        attr("isModified", "Boolean"),
        attr("isAutoDelete", "Boolean"),
        attr("state", "SnapStateEnum"),
        attr("operationalStatus", "List<SnapOpStatusEnum>"),
        attr("size", "Integer"),
        opt("ioLimitPolicy", "ioLimitPolicy"),
        opt("hostAccess", "List<snapHostAccess>"),
    ],
};

/// `nfsShare`.
pub const NFS_SHARE: TypeDef = TypeDef {
    name: "nfsShare",
    description: "An NFS share of a file system or of a file system snapshot.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("type", "NFSTypeEnum"),
        attr("role", "NFSShareRoleEnum"),
        opt("filesystem", "filesystem"),
        opt("snap", "snap"),
        attr("name", "String"),
        attr("path", "String"),
        attr("exportPaths", "List<String>"),
        attr("description", "String"),
        opt("isReadOnly", "Boolean"),
        attr("creationTime", "DateTime"),
        attr("modificationTime", "DateTime"),
        attr("defaultAccess", "NFSShareDefaultAccessEnum"),
        attr("minSecurity", "NFSShareSecurityEnum"),
        opt("noAccessHosts", "List<host>"),
        opt("readOnlyHosts", "List<host>"),
        opt("readWriteHosts", "List<host>"),
        opt("rootAccessHosts", "List<host>"),
        opt("hostAccesses", "List<hostShare>"),
        opt("nfsOwnerUsername", "String"),
        opt("readOnlyRootAccessHosts", "List<host>"),
        opt("noAccessHostsString", "String"),
        opt("readOnlyHostsString", "String"),
        opt("readWriteHostsString", "String"),
        opt("readOnlyRootHostsString", "String"),
        opt("readWriteRootHostsString", "String"),
        attr("anonymousUID", "Integer"),
        attr("anonymousGID", "Integer"),
        attr("exportOption", "Integer"),
    ],
};

/// `host`.
pub const HOST: TypeDef = TypeDef {
    name: "host",
    description: "A host that may be given access to storage.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("operationalStatus", "List<HostOperationalStatusEnum>"),
        attr("health", "health"),
        attr("name", "String"),
        attr("description", "String"),
        attr("type", "HostTypeEnum"),
        attr("osType", "String"),
        opt("hostUUID", "String"),
        opt("hostPushedUUID", "String"),
        opt("hostPolledUUID", "String"),
        opt("isInitializationComplete", "Boolean"),
        opt("lastPollTime", "DateTime"),
        attr("autoManageType", "HostManageEnum"),
        opt("registrationType", "HostRegistrationTypeEnum"),
        opt("hostContainer", "hostContainer"),
        opt("fcHostInitiators", "List<hostInitiator>"),
        opt("iscsiHostInitiators", "List<hostInitiator>"),
        opt("hostIPPorts", "List<hostIPPort>"),
        opt("storageResources", "List<storageResource>"),
        opt("hostLUNs", "List<hostLUN>"),
        opt("datastores", "List<datastore>"),
        opt("nfsShareAccesses", "List<hostShare>"),
        opt("hostVVolDatastore", "List<hostVVolDatastore>"),
        opt("vms", "List<vm>"),
        opt("tenant", "tenant"),
    ],
};

/// `hostInitiator`.
pub const HOST_INITIATOR: TypeDef = TypeDef {
    name: "hostInitiator",
    description: "An FC or iSCSI initiator of a host.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("operationalStatus", "List<HostOperationalStatusEnum>"),
        attr("health", "health"),
        opt("name", "String"),
        attr("type", "HostInitiatorTypeEnum"),
        attr("initiatorId", "String"),
        opt("parentHost", "host"),
        attr("isIgnored", "Boolean"),
        opt("nodeWWN", "String"),
        opt("portWWN", "String"),
        opt("chapUserName", "String"),
        attr("isChapSecretEnabled", "Boolean"),
        attr("paths", "List<hostInitiatorPath>"),
        opt("iscsiType", "HostInitiatorIscsiTypeEnum"),
        opt("isBound", "Boolean"),
        attr("sourceType", "HostInitiatorSourceTypeEnum"),
        opt("initiatorSourceType", "HostInitiatorSourceTypeEnum"),
    ],
};

/// `hostLUN`.
pub const HOST_LUN: TypeDef = TypeDef {
    name: "hostLUN",
    description: "A LUN as one host sees it, with its host LUN number.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("host", "host"),
        attr("type", "HostLUNTypeEnum"),
        attr("hlu", "Integer"),
        attr("lun", "lun"),
        opt("snap", "snap"),
        attr("isReadOnly", "Boolean"),
        attr("isDefaultSnap", "Boolean"),
    ],
};

/// `job`.
pub const JOB: TypeDef = TypeDef {
    name: "job",
    description: "An asynchronous job and its tasks.",
    attributes: &[
        attr("instanceId", "String"),
        attr("id", "String"),
        attr("description", "String"),
        attr("state", "JobStateEnum"),
        attr("stateChangeTime", "DateTime"),
        attr("submitTime", "DateTime"),
        opt("startTime", "DateTime"),
        opt("endTime", "DateTime"),
        opt("elapsedTime", "DateTime"),
        attr("estRemainTime", "DateTime"),
        attr("progressPct", "Integer"),
        attr("tasks", "List<jobTask>"),
        attr("owner", "String"),
        attr("requestId", "String"),
        attr("methodName", "String"),
        opt("parametersOut", "baseResponse"),
        opt("statusCodeOut", "Integer"),
        opt("messageOut", "message"),
        attr("isJobCancelable", "Boolean"),
        attr("isJobCancelled", "Boolean"),
        attr("clientData", "String"),
        opt("affectedResource", "resourceRef"),
    ],
};
