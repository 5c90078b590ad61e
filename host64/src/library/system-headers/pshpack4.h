/* bridge32's <pshpack4.h>: structs packed to 4 from here to <poppack.h> */
#pragma pack(push, 4)
