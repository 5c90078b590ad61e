/* bridge32's <pshpack2.h>: structs packed to 2 from here to <poppack.h> */
#pragma pack(push, 2)
