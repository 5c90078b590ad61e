/* bridge32's <pshpack8.h>: structs packed to 8 from here to <poppack.h> */
#pragma pack(push, 8)
