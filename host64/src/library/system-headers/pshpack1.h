/* bridge32's <pshpack1.h>: structs packed to 1 from here to <poppack.h> */
#pragma pack(push, 1)
