/* bridge32's <poppack.h>: the packing before the last <pshpackN.h> */
#pragma pack(pop)
